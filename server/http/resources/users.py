"""`/api/v1/users`: superadmins create, list, disable/enable users and reset passwords."""

from __future__ import annotations

import falcon

from comandia.server.http.auth import require_superadmin
from comandia.server.http.bodies import Body, path_id, query_text
from comandia.server.services.auth.passwords import MAX_LENGTH
from comandia.server.services.auth.users import UserService
from comandia.shared.domain.roles import parse_role


class UserCollection:
    def __init__(self, users: UserService) -> None:
        self._users = users

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_superadmin(req)
        tenant_id = query_text(req, "tenant_id", max_len=13)
        resp.media = {"items": [u.to_json() for u in self._users.list(tenant_id=tenant_id)]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = require_superadmin(req)
        body = Body.read(req, ("username", "password", "role", "tenant_id"))
        username = body.text("username", max_len=64)
        password = body.text("password", max_len=MAX_LENGTH)
        role = parse_role(body.text("role", max_len=16))
        tenant_id = body.optional_text("tenant_id", max_len=13)
        user = self._users.create(username, password, role.value, tenant_id, actor=principal.username)
        resp.status = falcon.HTTP_201
        resp.location = f"/api/v1/users/{user.id}"
        resp.media = user.to_json()


class UserItem:
    def __init__(self, users: UserService) -> None:
        self._users = users

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        require_superadmin(req)
        resp.media = self._users.get(path_id(user_id, "user")).to_json()

    def on_patch(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        """{"disabled": bool, "password": str}, both optional; either ends the user's sessions."""
        principal = require_superadmin(req)
        body = Body.read(req, ("disabled", "password"))
        user = self._users.update(
            path_id(user_id, "user"),
            actor=principal.username,
            disabled=body.optional_flag("disabled"),
            password=body.optional_text("password", max_len=MAX_LENGTH),
        )
        resp.media = user.to_json()
