"""`/api/v1/tenants/{tenant_id}/settings`: the bot's language, texts, delivery fee and business rules.

Members read them; the superadmin and the tenant's managers change them (a viewer gets 403,
another tenant's manager 404, as everywhere).
"""

from __future__ import annotations

import falcon

from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import read_body
from comandia.server.services.tenancy.settings import TenantSettingsService
from comandia.shared.schemas.tenants import TenantSettingsChange


class TenantSettingsResource:
    def __init__(self, settings: TenantSettingsService) -> None:
        self._settings = settings

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = self._settings.get(tenant_id).to_json()

    def on_patch(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        """Any settings keys (`TenantSettingsChange`), each replaced whole."""
        principal = access_tenant(req, tenant_id, write=True)
        change = read_body(req, TenantSettingsChange)
        resp.media = self._settings.update(tenant_id, principal.username, change).to_json()
