"""`/api/v1/users`: superadmins create, list, disable/enable users and reset passwords."""

from __future__ import annotations

import falcon

from comandia.server.http.answers import created
from comandia.server.http.auth import require_superadmin
from comandia.server.http.bodies import path_id, query_text, read_body
from comandia.server.services.auth.users import UserService
from comandia.shared.schemas.users import NewUserRequest, UserChange, UserList


class UserCollection:
    def __init__(self, users: UserService) -> None:
        self._users = users

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_superadmin(req)
        tenant_id = query_text(req, "tenant_id", max_len=13)
        resp.media = UserList(tuple(self._users.list(tenant_id=tenant_id))).to_json()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = require_superadmin(req)
        new = read_body(req, NewUserRequest)
        user = self._users.create(new.username, new.password, new.role, new.tenant_id, actor=principal.username)
        created(resp, f"/api/v1/users/{user.id}", user)


class UserItem:
    def __init__(self, users: UserService) -> None:
        self._users = users

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        require_superadmin(req)
        resp.media = self._users.get(path_id(user_id, "user")).to_json()

    def on_patch(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        """{"disabled": bool, "password": str}, both optional; either ends the user's sessions."""
        principal = require_superadmin(req)
        change = read_body(req, UserChange)
        user = self._users.update(
            path_id(user_id, "user"),
            actor=principal.username,
            disabled=change.disabled,
            password=change.password,
        )
        resp.media = user.to_json()
