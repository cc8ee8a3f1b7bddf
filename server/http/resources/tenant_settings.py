"""`/api/v1/tenants/{tenant_id}/settings`: the bot's language, delivery fee and text overrides.

Members read them; the superadmin and the tenant's managers change them (a viewer gets 403,
another tenant's manager 404, as everywhere).
"""

from __future__ import annotations

from typing import Any

import falcon

from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import Body
from comandia.server.services.tenancy.settings import MAX_TEXT, TenantSettingsService
from comandia.shared.domain.errors import ValidationFailed


class TenantSettingsResource:
    def __init__(self, settings: TenantSettingsService) -> None:
        self._settings = settings

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = self._settings.get(tenant_id).to_json()

    def on_patch(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        """{"locale", "delivery_fee", "texts": {key: template or null}}, each optional."""
        principal = access_tenant(req, tenant_id, write=True)
        body = Body.read(req, ("locale", "delivery_fee", "texts"))
        updated = self._settings.update(
            tenant_id, actor=principal.username, locale=body.optional_text("locale", max_len=8),
            delivery_fee=_fee(body.raw("delivery_fee")), texts=_texts(body.raw("texts")))
        resp.media = updated.to_json()


def _fee(value: Any) -> str | None:
    # Money never travels as a JSON float (binary rounding): a string ("35.50") or a whole number.
    if value is None or (isinstance(value, str) and len(value) <= 20):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValidationFailed("delivery_fee must be an amount as a string", {"delivery_fee": 'e.g. "35.50"'})


def _texts(value: Any) -> dict[str, str | None] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > 200:
        raise ValidationFailed("texts must be an object of text keys", {"texts": "an object, key -> text or null"})
    for key, text in value.items():
        if not isinstance(text, str | None) or (isinstance(text, str) and len(text) > MAX_TEXT):
            raise ValidationFailed("each text must be a string or null", {f"texts.{key}": "a string or null"})
    return {str(k): v for k, v in value.items()}
