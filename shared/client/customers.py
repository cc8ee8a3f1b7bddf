"""`/api/v1/tenants/{tenant_id}/customers`."""

from __future__ import annotations

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.customers import CustomerInfo, CustomerInput, CustomerPage


class CustomersApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(
        self, tenant_id: str, text: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> CustomerPage:
        params = {"q": text, "limit": limit, "cursor": cursor}
        return CustomerPage.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/customers", params))

    def get(self, tenant_id: str, customer_id: int) -> CustomerInfo:
        return CustomerInfo.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/customers/{customer_id}"))

    def create(self, tenant_id: str, data: CustomerInput) -> CustomerInfo:
        return CustomerInfo.from_json(
            self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/customers", data.to_json())
        )

    def update(self, tenant_id: str, customer_id: int, data: CustomerInput) -> CustomerInfo:
        path = f"/api/v1/tenants/{tenant_id}/customers/{customer_id}"
        return CustomerInfo.from_json(self._t.send_json("PUT", path, data.to_json()))

    def delete(self, tenant_id: str, customer_id: int) -> None:
        self._t.send_json("DELETE", f"/api/v1/tenants/{tenant_id}/customers/{customer_id}")
