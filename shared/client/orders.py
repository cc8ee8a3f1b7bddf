"""`/api/v1/tenants/{tenant_id}/orders`: list, place, show, edit, change status (with ETags)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.orders import OrderDetail, OrderEdit, OrderInput, OrderPage, StatusRequest


class OrdersApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(
        self,
        tenant_id: str,
        statuses: tuple[str, ...] = (),
        customer_id: int | None = None,
        first_day: dt.date | None = None,
        last_day: dt.date | None = None,
        text: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> OrderPage:
        """One page of orders; `first_day`/`last_day` are the tenant's local days, both included."""
        params: dict[str, Any] = {
            "status": ",".join(statuses) or None,
            "customer_id": customer_id,
            "from": first_day.isoformat() if first_day else None,
            "to": last_day.isoformat() if last_day else None,
            "q": text,
            "sort": sort,
            "limit": limit,
            "cursor": cursor,
        }
        return OrderPage.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/orders", params))

    def get(self, tenant_id: str, order_id: int) -> OrderDetail:
        return OrderDetail.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/orders/{order_id}"))

    def create(self, tenant_id: str, data: OrderInput) -> OrderDetail:
        return OrderDetail.from_json(self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/orders", data.to_json()))

    def edit(self, tenant_id: str, order_id: int, changes: OrderEdit, etag: str | None = None) -> OrderDetail:
        """Edit a new order; pass the `etag` you read so a concurrent change answers ConflictError (412)."""
        headers = {"If-Match": etag} if etag else None
        path = f"/api/v1/tenants/{tenant_id}/orders/{order_id}"
        return OrderDetail.from_json(self._t.send_json("PATCH", path, changes.to_json(), headers=headers))

    def change_status(
        self, tenant_id: str, order_id: int, status: str, reason: str | None = None, etag: str | None = None
    ) -> OrderDetail:
        headers = {"If-Match": etag} if etag else None
        path = f"/api/v1/tenants/{tenant_id}/orders/{order_id}/status"
        body = StatusRequest(status, reason).to_json()
        return OrderDetail.from_json(self._t.send_json("POST", path, body, headers=headers))
