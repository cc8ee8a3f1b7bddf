"""Who is asking: the bearer token resolved into `req.context.principal`, and the tenant-scope rule.

The tenant a request acts on comes from the URL, and is accepted only if the authenticated
principal may see it (STYLE rule 4). Another tenant's anything answers 404 exactly like a tenant
that does not exist, so probing IDs tells an attacker nothing (OWASP API1, Zulip's rule).
"""

from __future__ import annotations

from typing import Any

import falcon

from comandia.server.services.auth.logins import AuthService
from comandia.shared.domain.errors import Forbidden, NotFound, Unauthorized
from comandia.shared.domain.roles import Principal

# token_urlsafe(32) gives 43 characters; anything far longer is not ours and not worth hashing.
_MAX_TOKEN_LENGTH = 128


def bearer_token(req: falcon.Request) -> str:
    """The token of an `Authorization: Bearer <token>` header.

    Raises:
        Unauthorized: no header, another scheme, or a token that cannot be ours.
    """
    header = req.get_header("Authorization") or ""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > _MAX_TOKEN_LENGTH:
        raise Unauthorized("send `Authorization: Bearer <token>`; get a token from POST /api/v1/auth/login")
    return token


class Authenticate:
    """Middleware: every resource needs a valid token unless it says `public = True`."""

    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any, params: Any) -> None:
        req.context.principal = None
        if resource is None or getattr(resource, "public", False):
            return
        req.context.principal = self._auth.authenticate(bearer_token(req))


def principal_of(req: falcon.Request) -> Principal:
    """The authenticated principal (set by `Authenticate`); a public resource asking is a bug."""
    principal = req.context.principal
    assert isinstance(principal, Principal), "principal_of() on a public resource"
    return principal


def access_tenant(req: falcon.Request, tenant_id: str, write: bool = False) -> Principal:
    """Let the request act on `tenant_id`, or raise; records the tenant for the access log.

    Raises:
        NotFound: the principal may not see this tenant (the same answer as for no such tenant).
        Forbidden: `write` and the principal may only read (a viewer of this tenant).
    """
    principal = principal_of(req)
    if not principal.can_read_tenant(tenant_id):
        raise NotFound("tenant {tenant_id} does not exist", tenant_id=tenant_id)
    if write and not principal.can_write_tenant(tenant_id):
        raise Forbidden("a viewer may read this tenant's data but not change it")
    req.context.tenant_id = tenant_id
    return principal


def require_superadmin(req: falcon.Request) -> Principal:
    """Raises Forbidden unless the principal runs the appliance."""
    principal = principal_of(req)
    if not principal.is_superadmin():
        raise Forbidden("only a superadmin may do this")
    return principal
