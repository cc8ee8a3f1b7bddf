"""`/api/v1/tenants/{tenant_id}/numbers`: the tenant's WhatsApp numbers; `/api/v1/admin/unroutable`.

Who may do what: members of the tenant read its numbers (viewers too: the console shows when
each number last received a webhook); its managers pause, resume and test them; only a
superadmin adds or removes a number, since that moves provider credentials. Another tenant's
number answers 404 like a missing one (checked by `access_tenant`, then by the service).
"""

from __future__ import annotations

import falcon

from comandia.server.http.answers import created
from comandia.server.http.auth import access_tenant, require_superadmin
from comandia.server.http.bodies import path_id, query_int, read_body
from comandia.server.http.problems import language_of
from comandia.server.services.messaging.numbers import NumberService
from comandia.server.services.messaging.pauses import PAUSED_BY_MANAGER, readable
from comandia.shared.schemas.numbers import NewNumber, NumberList, PauseRequest, UnroutableList


class NumberCollection:
    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        language = language_of(req)
        resp.media = NumberList(tuple(readable(n, language) for n in self._numbers.list(tenant_id))).to_json()
        resp.vary = ("Accept-Language",)

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        """Add a number; the answer shows its verify token / webhook secret (the secret only here)."""
        access_tenant(req, tenant_id)
        principal = require_superadmin(req)
        request = read_body(req, NewNumber)
        number = self._numbers.add(tenant_id, request, actor=principal.username)
        created(resp, f"{req.path}/{number.id}", number)


class NumberItem:
    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, number_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = readable(self._numbers.get(tenant_id, path_id(number_id, "number")), language_of(req)).to_json()
        resp.vary = ("Accept-Language",)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, number_id: str) -> None:
        access_tenant(req, tenant_id)
        principal = require_superadmin(req)
        self._numbers.remove(tenant_id, path_id(number_id, "number"), actor=principal.username)
        resp.status = falcon.HTTP_204


class NumberPause:
    """POST: stop replying from the number (webhooks are still acknowledged and kept)."""

    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, number_id: str) -> None:
        principal = access_tenant(req, tenant_id, write=True)
        reason = read_body(req, PauseRequest).reason if req.content_length else None
        paused = self._numbers.pause(
            tenant_id, path_id(number_id, "number"), actor=principal.username, reason=reason or PAUSED_BY_MANAGER
        )
        resp.media = readable(paused, language_of(req)).to_json()


class NumberResume:
    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, number_id: str) -> None:
        principal = access_tenant(req, tenant_id, write=True)
        resp.media = self._numbers.resume(tenant_id, path_id(number_id, "number"), actor=principal.username).to_json()


class NumberTest:
    """POST: call the provider's API with the stored credentials; 200 with each check's result."""

    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, number_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        resp.media = self._numbers.test(tenant_id, path_id(number_id, "number"), language_of(req)).to_json()
        resp.vary = ("Accept-Language",)


class UnroutableCollection:
    """GET: the newest webhooks no number claimed (metadata only; bodies stay in the database)."""

    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_superadmin(req)
        limit = query_int(req, "limit", maximum=500) or 100
        resp.media = UnroutableList(tuple(self._numbers.unroutable(limit))).to_json()
