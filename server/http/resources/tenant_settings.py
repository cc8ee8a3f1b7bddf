"""`/api/v1/tenants/{tenant_id}/settings`: the bot's language, texts, delivery fee and business rules.

`/api/v1/tenants/{tenant_id}/order-alerts`: how the latest new-order alerts went (members read it),
so a manager sees an alert that failed and why.

Members read them; the superadmin and the tenant's managers change them (a viewer gets 403,
another tenant's manager 404, as everywhere).
"""

from __future__ import annotations

import falcon

from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import query_int, read_body
from comandia.server.http.problems import language_of
from comandia.server.services.messaging.alerts import OrderAlertService
from comandia.server.services.tenancy.settings import TenantSettingsService
from comandia.shared.schemas.rules import OrderAlertList
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


class OrderAlertsResource:
    def __init__(self, alerts: OrderAlertService) -> None:
        self._alerts = alerts

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        """`?limit=` (1 to 200, default 50), newest first."""
        access_tenant(req, tenant_id)
        limit = query_int(req, "limit", maximum=200) or 50
        resp.media = OrderAlertList(tuple(self._alerts.recent(tenant_id, limit, language_of(req)))).to_json()
