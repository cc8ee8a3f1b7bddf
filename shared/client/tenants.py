"""`/api/v1/tenants`: create, list, show, deactivate, reactivate."""

from __future__ import annotations

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.tenants import TenantInfo


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
