"""`/api/v1/tenants`: create, list, show, deactivate, reactivate, and the bot settings."""

from __future__ import annotations

from decimal import Decimal

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.tenants import TenantInfo, TenantSettings


class TenantsApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, include_deleted: bool = False) -> list[TenantInfo]:
        data = self._t.get_json("/api/v1/tenants", {"include_deleted": "true" if include_deleted else None})
        return [TenantInfo.from_json(item) for item in data["items"]]

    def create(
        self,
        name: str,
        timezone: str | None = None,
        currency: str | None = None,
        locale: str | None = None,
        server: str | None = None,
    ) -> TenantInfo:
        fields = {"timezone": timezone, "currency": currency, "locale": locale, "server": server}
        body = {"name": name} | {k: v for k, v in fields.items() if v is not None}
        return TenantInfo.from_json(self._t.send_json("POST", "/api/v1/tenants", body))

    def get(self, tenant_id: str) -> TenantInfo:
        return TenantInfo.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}"))

    def deactivate(self, tenant_id: str) -> TenantInfo:
        return TenantInfo.from_json(self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/deactivate"))

    def reactivate(self, tenant_id: str) -> TenantInfo:
        return TenantInfo.from_json(self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/reactivate"))

    def settings(self, tenant_id: str) -> TenantSettings:
        return TenantSettings.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/settings"))

    def update_settings(self, tenant_id: str, locale: str | None = None, delivery_fee: Decimal | None = None,
                        texts: dict[str, str | None] | None = None) -> TenantSettings:
        """Change what is given; a text set to None goes back to the bot's built-in wording."""
        body: dict[str, object] = {"locale": locale, "texts": texts,
                                   "delivery_fee": None if delivery_fee is None else str(delivery_fee)}
        changes = {k: v for k, v in body.items() if v is not None}
        return TenantSettings.from_json(self._t.send_json("PATCH", f"/api/v1/tenants/{tenant_id}/settings", changes))
