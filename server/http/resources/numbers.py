"""`/api/v1/tenants/{tenant_id}/numbers`: the tenant's WhatsApp numbers; `/api/v1/admin/unroutable`.

Who may do what: members of the tenant read its numbers (viewers too: the console shows when
each number last received a webhook); its managers pause, resume and test them; only a
superadmin adds or removes a number, since that moves provider credentials. Another tenant's
number answers 404 like a missing one (checked by `access_tenant`, then by the service).
"""

from __future__ import annotations

import falcon

from comandia.server.http.auth import access_tenant, require_superadmin
from comandia.server.http.bodies import Body, path_id, query_int
from comandia.server.services.messaging.numbers import NewNumber, NumberService

_FIELDS = ("provider", "e164", "phone_number_id", "waba_id", "account_sid", "access_token", "app_secret",
           "api_key", "auth_token", "webhook_secret", "status_template", "template_language")


class NumberCollection:
    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = {"items": [n.to_json() for n in self._numbers.list(tenant_id)]}

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        """Add a number; the answer shows its verify token / webhook secret (the secret only here)."""
        access_tenant(req, tenant_id)
        principal = require_superadmin(req)
        body = Body.read(req, _FIELDS)
        request = NewNumber(
            provider=body.text("provider", max_len=16), e164=body.text("e164", max_len=40),
            **{name: body.optional_text(name, max_len=64) for name in ("phone_number_id", "waba_id", "account_sid")},
            **{name: body.optional_text(name, max_len=1000)
               for name in ("access_token", "app_secret", "api_key", "auth_token", "webhook_secret")},
            status_template=body.optional_text("status_template", max_len=512),
            template_language=body.optional_text("template_language", max_len=16),
        )
        number = self._numbers.add(tenant_id, request, actor=principal.username)
        resp.status = falcon.HTTP_201
        resp.location = f"{req.path}/{number.id}"
        resp.media = number.to_json()


class NumberItem:
    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, number_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = self._numbers.get(tenant_id, path_id(number_id, "number")).to_json()

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
        reason = Body.read(req, ("reason",)).optional_text("reason", max_len=500) if req.content_length else None
        resp.media = self._numbers.pause(tenant_id, path_id(number_id, "number"), actor=principal.username,
                                         reason=reason or "paused by a manager").to_json()


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
        resp.media = self._numbers.test(tenant_id, path_id(number_id, "number")).to_json()


class UnroutableCollection:
    """GET: the newest webhooks no number claimed (metadata only; bodies stay in the database)."""

    def __init__(self, numbers: NumberService) -> None:
        self._numbers = numbers

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_superadmin(req)
        limit = query_int(req, "limit", maximum=500) or 100
        resp.media = {"items": [e.to_json() for e in self._numbers.unroutable(limit)]}
