"""What this server offers: the route templates of its public OpenAPI document."""

from __future__ import annotations

from comandia.shared.client.transport import Transport

TENANT_KPIS = "/api/v1/tenants/{tenant_id}/kpis"
ADMIN_KPIS = "/api/v1/admin/kpis"
TENANT_EXPORTS = "/api/v1/tenants/{tenant_id}/exports/{dataset}.{fmt}"
NUMBERS = "/api/v1/tenants/{tenant_id}/numbers"
AUDIT = "/api/v1/admin/audit"
SANDBOX_CHAT = "/api/v1/tenants/{tenant_id}/sandbox/messages"


class CapabilitiesApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def paths(self) -> frozenset[str]:
        """Every path template the server routes (the route table and the document name the same)."""
        document = self._t.get_json("/api/v1/openapi.json")
        return frozenset(document.get("paths", {}))
