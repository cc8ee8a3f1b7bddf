"""Users on the wire."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    role: str
    tenant_id: str | None
    disabled: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UserInfo:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})
