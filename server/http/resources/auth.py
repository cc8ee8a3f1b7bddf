"""`/api/v1/auth/*`: log in (get a token), log out (revoke it), who am I, change my password."""

from __future__ import annotations

import falcon

from comandia.server.http.auth import bearer_token, principal_of
from comandia.server.http.bodies import read_body
from comandia.server.http.clients import client_address
from comandia.server.services.auth.logins import AuthService
from comandia.server.services.auth.users import UserService
from comandia.shared.schemas.auth import LoginRequest, PasswordChange


class Login:
    """POST {"username", "password"} -> {"token", "expires_at", "user"}; throttled (S6)."""

    public = True

    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        # A password longer than any we accept cannot be right: LoginRequest refuses it before hashing.
        login = read_body(req, LoginRequest)
        resp.media = self._auth.login(login.username, login.password, client_address(req)).to_json()


class Logout:
    """POST: revoke the token this request carries."""

    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.logout(bearer_token(req))
        resp.status = falcon.HTTP_204


class Me:
    """GET: the user the token belongs to."""

    def __init__(self, users: UserService) -> None:
        self._users = users

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._users.get(principal_of(req).user_id).to_json()


class Password:
    """POST {"current_password", "new_password"}: every token of the user stops working."""

    def __init__(self, users: UserService) -> None:
        self._users = users

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        change = read_body(req, PasswordChange)
        self._users.change_own_password(
            principal_of(req).user_id, change.current_password, change.new_password, client_address(req)
        )
        resp.status = falcon.HTTP_204
