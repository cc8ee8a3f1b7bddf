"""`/api/v1/tenants/{tenant_id}/numbers`: a tenant's WhatsApp numbers."""

from __future__ import annotations

from typing import Any

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.numbers import NumberInfo


class NumbersApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, tenant_id: str) -> list[NumberInfo]:
        data = self._t.get_json(f"/api/v1/tenants/{tenant_id}/numbers")
        return [NumberInfo.from_json(item) for item in data["items"]]

    def add(self, tenant_id: str, provider: str, e164: str, **credentials: str | None) -> NumberInfo:
        """Connect a number (superadmin); the answer carries the webhook secret, shown only here."""
        body: dict[str, Any] = {"provider": provider, "e164": e164}
        body |= {k: v for k, v in credentials.items() if v}
        return NumberInfo.from_json(self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/numbers", body))

    def test(self, tenant_id: str, number_id: int) -> Any:
        """Ask the provider whether the stored credentials work; the checks as the server reports them."""
        return self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/numbers/{number_id}/test")
