"""`/api/v1/tenants/{tenant_id}/orders`: list, place, show, edit while new, change status.

An order's ETag is its version. PATCH and the status change honour `If-Match`: a stale ETag is
answered 412 before anything changes. The service re-checks the version under the row lock, so
a change that slips in between that check and the write still cannot be overwritten (it is
answered 409 instead).
"""

from __future__ import annotations

import falcon

from comandia.server.http.answers import created
from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import path_id, query_int, query_text, read_body
from comandia.server.services.orders.orders import OrderService
from comandia.server.services.pages import DEFAULT_PAGE_SIZE
from comandia.server.services.tenancy.tenants import TenantService
from comandia.shared.domain.times import local_range_to_utc, parse_date
from comandia.shared.i18n import N_
from comandia.shared.schemas.orders import OrderEdit, OrderInput, OrderQuery, StatusRequest, version_from_etag


def read_order_query(req: falcon.Request, tenants: TenantService, tenant_id: str) -> OrderQuery:
    """The list's filters from the query string.

    `status` may repeat or be comma-separated; `from`/`to` are the tenant's local calendar days
    (both included); `q` searches number, customer name and phone; `sort` is one of ORDER_SORTS.

    Raises:
        ValidationFailed: any parameter that does not parse.
    """
    statuses = tuple(s for value in (req.get_param_as_list("status") or []) for s in value.split(",") if s)
    created_from = created_to = None
    first, last = query_text(req, "from", max_len=10), query_text(req, "to", max_len=10)
    if first or last:
        timezone = tenants.get(tenant_id).timezone
        start = parse_date(first, "from") if first else parse_date("1900-01-01")
        end = parse_date(last, "to") if last else parse_date("2999-12-30")
        created_from, created_to = local_range_to_utc(start, end, timezone)
    return OrderQuery(
        statuses=statuses,
        customer_id=query_int(req, "customer_id"),
        created_from=created_from,
        created_to=created_to,
        text=query_text(req, "q"),
        sort=query_text(req, "sort", max_len=20) or "-created_at",
        limit=query_int(req, "limit") or DEFAULT_PAGE_SIZE,
        cursor=query_text(req, "cursor", max_len=500),
    )


class OrderCollection:
    def __init__(self, orders: OrderService, tenants: TenantService) -> None:
        self._orders = orders
        self._tenants = tenants

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = self._orders.list(tenant_id, read_order_query(req, self._tenants, tenant_id)).to_json()

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        principal = access_tenant(req, tenant_id, write=True)
        data = read_body(req, OrderInput)
        order = self._orders.create(tenant_id, data, actor=principal.username)
        resp.etag = order.etag
        created(resp, f"{req.path}/{order.id}", order)


class OrderItem:
    def __init__(self, orders: OrderService) -> None:
        self._orders = orders

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, order_id: str) -> None:
        access_tenant(req, tenant_id)
        order = self._orders.get(tenant_id, path_id(order_id, "order"))
        resp.etag = order.etag
        resp.media = order.to_json()

    def on_patch(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, order_id: str) -> None:
        """Edit lines, delivery data, notes or fee while the order is new."""
        principal = access_tenant(req, tenant_id, write=True)
        number = path_id(order_id, "order")
        changes = read_body(req, OrderEdit)
        expected = _precondition(req, self._orders, tenant_id, number)
        order = self._orders.edit(tenant_id, number, changes, actor=principal.username, expected_version=expected)
        resp.etag = order.etag
        resp.media = order.to_json()


class OrderStatus:
    """POST {"status", "reason"}: move the order through the status machine."""

    def __init__(self, orders: OrderService) -> None:
        self._orders = orders

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, order_id: str) -> None:
        principal = access_tenant(req, tenant_id, write=True)
        number = path_id(order_id, "order")
        change = read_body(req, StatusRequest)
        expected = _precondition(req, self._orders, tenant_id, number)
        order = self._orders.change_status(
            tenant_id,
            number,
            change.status,
            actor=principal.username,
            reason=change.reason,
            expected_version=expected,
        )
        resp.etag = order.etag
        resp.media = order.to_json()


def _precondition(req: falcon.Request, orders: OrderService, tenant_id: str, order_id: int) -> int | None:
    """The version If-Match names (None without the header); 412 when it is already stale."""
    expected = version_from_etag(req.get_header("If-Match"))
    if expected is not None and orders.get(tenant_id, order_id).version != expected:
        raise falcon.HTTPPreconditionFailed(
            title=N_("Precondition failed"),
            description=N_("the order changed since you read it; reload it and try again"),
        )
    return expected
