"""Logins on the wire: what POST /api/v1/auth/login answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from comandia.shared.schemas.users import UserInfo


@dataclass(frozen=True)
class LoginResult:
    """A fresh bearer token, when it stops working, and who it belongs to."""

    token: str
    expires_at: dt.datetime
    user: UserInfo

    def to_json(self) -> dict[str, Any]:
        return {"token": self.token, "expires_at": self.expires_at.isoformat(), "user": self.user.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoginResult:
        return cls(
            token=data["token"],
            expires_at=dt.datetime.fromisoformat(data["expires_at"]),
            user=UserInfo.from_json(data["user"]),
        )
