"""Logins on the wire: what POST /api/v1/auth/login takes and answers, and a password change."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from comandia.shared.schemas.users import Password, UserInfo
from comandia.shared.schemas.wire import Request, Wire


class LoginRequest(Request, frozen=True):
    username: Annotated[str, msgspec.Meta(max_length=200)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class LoginResult(Wire, frozen=True):
    """A fresh bearer token, when it stops working, and who it belongs to."""

    token: str
    expires_at: dt.datetime
    user: UserInfo


class PasswordChange(Request, frozen=True):
    current_password: Annotated[str, msgspec.Meta(max_length=256)]
    new_password: Password
