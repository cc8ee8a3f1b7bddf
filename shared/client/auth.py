"""`/api/v1/auth`: log in, log out, who am I, change my password."""

from __future__ import annotations

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.auth import LoginRequest, LoginResult, PasswordChange
from comandia.shared.schemas.users import UserInfo


class AuthApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def login(self, username: str, password: str) -> LoginResult:
        """Log in and keep the new token for the following requests.

        Raises:
            UnauthorizedError: wrong name or password, or the account is disabled or its
                business deactivated (one answer, so it never tells that a password is right).
            TooManyRequestsError: throttled.
        """
        result = LoginResult.from_json(
            self._t.send_json("POST", "/api/v1/auth/login", LoginRequest(username, password).to_json())
        )
        self._t.token = result.token
        return result

    def logout(self) -> None:
        """Revoke the current token and forget it."""
        self._t.send_json("POST", "/api/v1/auth/logout")
        self._t.token = None

    def me(self) -> UserInfo:
        return UserInfo.from_json(self._t.get_json("/api/v1/auth/me"))

    def change_password(self, current: str, new: str) -> None:
        """Change my password; every token of mine stops working (log in again)."""
        self._t.send_json("POST", "/api/v1/auth/password", PasswordChange(current, new).to_json())
        self._t.token = None
