"""The order list carries each order's first lines (for the board's cards), in one query per page."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from comandia.server.wiring import Runtime
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import SUMMARY_ITEMS, OrderInput, OrderLineInput, OrderQuery, OrderSummaryItem
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")


class Statements:
    """Every SQL statement any engine runs while counting."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(statement)

    def reading(self, table: str) -> list[str]:
        return [s for s in self.seen if f"FROM {table}" in s]


@pytest.fixture
def statements() -> Iterator[Statements]:
    found = Statements()
    sa.event.listen(Engine, "before_cursor_execute", found)
    yield found
    sa.event.remove(Engine, "before_cursor_execute", found)


def test_a_page_carries_each_orders_first_lines_in_one_query(
    runtime: Runtime, make_tenant: MakeTenant, statements: Statements
) -> None:
    tenant_id = make_tenant().id
    catalog, orders = runtime.services.catalog, runtime.services.orders
    for i in range(SUMMARY_ITEMS + 3):
        catalog.create_product(tenant_id, ProductInput(sku=f"P{i}", name=f"Producto {i}", price=Decimal("10")))
    customer = runtime.services.customers.create(tenant_id, CustomerInput(phone="+52 55 1234 5678", name="Ana"))
    long_note = "sin cebolla, con mucha salsa verde y limón aparte por favor"
    placed = [
        orders.create(
            tenant_id,
            OrderInput(
                customer.id,
                (OrderLineInput(2, sku="P0", note=long_note), OrderLineInput(1, sku="P1", note="sin hielo")),
            ),
            actor="ana",
        ),
        orders.create(
            tenant_id,
            OrderInput(
                customer.id,
                tuple(OrderLineInput(1, sku=f"P{i}") for i in range(SUMMARY_ITEMS + 3)),
                fulfilment="pickup",
            ),
            actor="ana",
        ),
        *(
            orders.create(tenant_id, OrderInput(customer.id, (OrderLineInput(3, sku="P2"),)), actor="ana")
            for _ in range(6)
        ),
    ]

    statements.seen.clear()
    small = orders.list(tenant_id, OrderQuery(limit=2))
    few = list(statements.seen)
    statements.seen.clear()
    page = orders.list(tenant_id, OrderQuery(limit=50))
    # One query for the orders and one for the lines of the whole page, whatever its size.
    assert len(statements.seen) == len(few)
    assert len(statements.reading("order_items")) == 1
    assert len(small.items) == 2

    by_id = {o.id: o for o in page.items}
    first, long, plain = by_id[placed[0].id], by_id[placed[1].id], by_id[placed[2].id]
    assert first.items[0].quantity == 2 and first.items[0].name == "Producto 0"
    note = first.items[0].note
    assert note is not None and note.endswith("…") and len(note) <= 40 and long_note.startswith(note[:-1])
    assert first.items[1] == OrderSummaryItem(quantity=1, name="Producto 1", note="sin hielo")
    assert (first.more_items, first.fulfilment) == (0, "delivery")
    assert [i.name for i in long.items] == [f"Producto {i}" for i in range(SUMMARY_ITEMS)]
    assert (long.more_items, long.fulfilment) == (3, "pickup")
    assert plain.items == (OrderSummaryItem(quantity=3, name="Producto 2"),)
    assert list(page.to_json()["items"][0]["items"]) == [{"quantity": 3, "name": "Producto 2", "note": None}]
