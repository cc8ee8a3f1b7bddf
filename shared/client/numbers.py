"""`/api/v1/tenants/{tenant_id}/numbers`: a tenant's WhatsApp numbers."""

from __future__ import annotations

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.numbers import NewNumber, NumberCheck, NumberInfo, NumberList


class NumbersApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, tenant_id: str) -> list[NumberInfo]:
        data = self._t.get_json(f"/api/v1/tenants/{tenant_id}/numbers")
        return list(NumberList.from_json(data).items)

    def add(self, tenant_id: str, number: NewNumber) -> NumberInfo:
        """Connect a number (superadmin); the answer carries the webhook secret, shown only here."""
        path = f"/api/v1/tenants/{tenant_id}/numbers"
        return NumberInfo.from_json(self._t.send_json("POST", path, number.to_json()))

    def test(self, tenant_id: str, number_id: int) -> NumberCheck:
        """Ask the provider whether the stored credentials work; each check with what was found."""
        return NumberCheck.from_json(self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/numbers/{number_id}/test"))
