"""`/api/v1/users`: create, list, show, disable/enable, reset a password."""

from __future__ import annotations

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.users import NewUserRequest, RoleName, UserChange, UserInfo, UserList


class UsersApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, tenant_id: str | None = None) -> list[UserInfo]:
        data = self._t.get_json("/api/v1/users", {"tenant_id": tenant_id})
        return list(UserList.from_json(data).items)

    def create(self, username: str, password: str, role: RoleName, tenant_id: str | None = None) -> UserInfo:
        body = NewUserRequest(username, password, role, tenant_id)
        return UserInfo.from_json(self._t.send_json("POST", "/api/v1/users", body.to_json()))

    def get(self, user_id: int) -> UserInfo:
        return UserInfo.from_json(self._t.get_json(f"/api/v1/users/{user_id}"))

    def update(self, user_id: int, disabled: bool | None = None, password: str | None = None) -> UserInfo:
        """Disable/enable a user or reset their password; either ends their sessions."""
        body = UserChange(disabled, password)
        return UserInfo.from_json(self._t.send_json("PATCH", f"/api/v1/users/{user_id}", body.to_json()))
