"""The order detail shows what the customer asked of each line ("sin cebolla")."""

from __future__ import annotations

import secrets
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from comandia.console.windows.orders import OrdersPage
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_the_order_detail_shows_each_lines_note(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    tag = secrets.token_hex(3)
    tenant_id = world.tenant_a.id
    customer = manager_a_client.customers.create(
        tenant_id, CustomerInput(phone=f"+5255{secrets.randbelow(10**8):08d}", name=f"Cliente {tag}")
    )
    taco = manager_a_client.catalog.create_product(tenant_id, ProductInput(f"T-{tag}", f"Taco {tag}", Decimal("25")))
    torta = manager_a_client.catalog.create_product(tenant_id, ProductInput(f"M-{tag}", f"Torta {tag}", Decimal("80")))
    lines = (OrderLineInput(3, product_id=taco.id, note="sin cebolla"), OrderLineInput(1, product_id=torta.id))
    order = manager_a_client.orders.create(tenant_id, OrderInput(customer.id, lines))
    assert [i.note for i in order.items] == ["sin cebolla", None]
    window = log_in(world.manager_a)
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: any(o.id == order.id for o in page.model.records()), timeout=10_000)
    detail = page.open_detail(next(i for i, o in enumerate(page.model.records()) if o.id == order.id))
    assert detail is not None
    qtbot.waitUntil(lambda: detail.order is not None, timeout=10_000)
    header = [detail.items.headerData(c, Qt.Orientation.Horizontal) for c in range(detail.items.columnCount())]
    column = header.index(detail.i18n("detail.item_note"))
    cells = [detail.items.data(detail.items.index(row, column)) for row in range(detail.items.rowCount())]
    assert cells == ["sin cebolla", ""]
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
    detail.close()


def test_an_order_the_customer_cancelled_in_the_chat_says_so(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient, runtime: Runtime
) -> None:
    tag = secrets.token_hex(3)
    tenant_id = world.tenant_a.id
    customer = manager_a_client.customers.create(
        tenant_id, CustomerInput(phone=f"+5255{secrets.randbelow(10**8):08d}", name=f"Cliente {tag}")
    )
    taco = manager_a_client.catalog.create_product(tenant_id, ProductInput(f"C-{tag}", f"Taco {tag}", Decimal("25")))
    order = manager_a_client.orders.create(tenant_id, OrderInput(customer.id, (OrderLineInput(1, product_id=taco.id),)))
    reason = "cancelado por el cliente en el chat"
    result = runtime.services.orders.cancel_by_customer(tenant_id, order.number, customer.id, None, reason)
    assert result == ("cancelled", "cancelled")
    window = log_in(world.manager_a)
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: any(o.id == order.id for o in page.model.records()), timeout=10_000)
    detail = page.open_detail(next(i for i, o in enumerate(page.model.records()) if o.id == order.id))
    assert detail is not None
    qtbot.waitUntil(lambda: detail.order is not None, timeout=10_000)
    assert reason in detail.header.text() and not detail.buttons
    last = detail.history.item(detail.history.count() - 1).text()
    assert "whatsapp" in last and reason in last
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
    detail.close()
