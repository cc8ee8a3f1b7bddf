"""What this server offers: its release and the route templates of its public OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass

from comandia.shared.client.transport import Transport

TENANT_KPIS = "/api/v1/tenants/{tenant_id}/kpis"
ADMIN_KPIS = "/api/v1/admin/kpis"
TENANT_EXPORTS = "/api/v1/tenants/{tenant_id}/exports/{dataset}.{fmt}"
NUMBERS = "/api/v1/tenants/{tenant_id}/numbers"
AUDIT = "/api/v1/admin/audit"
SANDBOX_CHAT = "/api/v1/tenants/{tenant_id}/sandbox/messages"


@dataclass(frozen=True)
class ServerDescription:
    """The server's release (`shared/version.py` on its side) and every path template it routes."""

    version: str
    paths: frozenset[str]


class CapabilitiesApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def paths(self) -> frozenset[str]:
        """Every path template the server routes (the route table and the document name the same)."""
        return self.describe().paths

    def describe(self) -> ServerDescription:
        """The server's version and routes, from one read of its OpenAPI document."""
        document = self._t.get_json("/api/v1/openapi.json")
        info = document.get("info", {})
        return ServerDescription(str(info.get("version", "")), frozenset(document.get("paths", {})))
