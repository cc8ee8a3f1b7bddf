"""`/api/v1/tenants`: create, list, show, deactivate, reactivate, and the bot settings."""

from __future__ import annotations

from decimal import Decimal

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.rules import OrderAlertList
from comandia.shared.schemas.tenants import (
    Locale,
    NewTenantRequest,
    TenantInfo,
    TenantList,
    TenantSettings,
    TenantSettingsChange,
)


class TenantsApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, include_deleted: bool = False) -> list[TenantInfo]:
        data = self._t.get_json("/api/v1/tenants", {"include_deleted": "true" if include_deleted else None})
        return list(TenantList.from_json(data).items)

    def create(
        self,
        name: str,
        timezone: str | None = None,
        currency: str | None = None,
        locale: str | None = None,
        server: str | None = None,
        country_locale: str | None = None,
    ) -> TenantInfo:
        """`locale`: the country as a full locale (``es_AR``) or the bot's language (``es``/``en``);
        `country_locale`: the country, when `locale` is the bot's language."""
        body = NewTenantRequest(name, timezone, currency, locale, server, country_locale)
        return TenantInfo.from_json(self._t.send_json("POST", "/api/v1/tenants", body.to_json()))

    def get(self, tenant_id: str) -> TenantInfo:
        return TenantInfo.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}"))

    def deactivate(self, tenant_id: str) -> TenantInfo:
        return TenantInfo.from_json(self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/deactivate"))

    def reactivate(self, tenant_id: str) -> TenantInfo:
        return TenantInfo.from_json(self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/reactivate"))

    def settings(self, tenant_id: str) -> TenantSettings:
        return TenantSettings.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/settings"))

    def update_settings(
        self,
        tenant_id: str,
        locale: Locale | None = None,
        delivery_fee: Decimal | None = None,
        texts: dict[str, str | None] | None = None,
    ) -> TenantSettings:
        """Change what is given; a text set to None goes back to the bot's built-in wording."""
        fee = None if delivery_fee is None else format(delivery_fee, "f")
        return self.change_settings(tenant_id, TenantSettingsChange(locale=locale, delivery_fee=fee, texts=texts))

    def change_settings(self, tenant_id: str, change: TenantSettingsChange) -> TenantSettings:
        """Replace each settings key `change` names (hours, zones, payment methods...) as a whole."""
        body = change.to_json()
        return TenantSettings.from_json(self._t.send_json("PATCH", f"/api/v1/tenants/{tenant_id}/settings", body))

    def order_alerts(self, tenant_id: str, limit: int = 50) -> OrderAlertList:
        """The latest new-order alerts to the business and how each went (failures with their reason)."""
        return OrderAlertList.from_json(
            self._t.get_json(f"/api/v1/tenants/{tenant_id}/order-alerts", params={"limit": limit})
        )
