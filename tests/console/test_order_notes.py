"""The order detail shows what the customer asked of each line ("sin cebolla")."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from tests.console.conftest import LogIn, customer_and_product, order_detail
from tests.plugins.api import World


def test_the_order_detail_shows_each_lines_note(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    tenant_id = world.tenant_a.id
    customer, taco = customer_and_product(manager_a_client, tenant_id, "25")
    torta = manager_a_client.catalog.create_product(tenant_id, ProductInput(f"M-{taco.sku}", "Torta", Decimal("80")))
    lines = (OrderLineInput(3, product_id=taco.id, note="sin cebolla"), OrderLineInput(1, product_id=torta.id))
    order = manager_a_client.orders.create(tenant_id, OrderInput(customer.id, lines))
    assert [i.note for i in order.items] == ["sin cebolla", None]
    with order_detail(log_in(world.manager_a), qtbot, order.id) as detail:
        header = [detail.items.title(c) for c in range(detail.items.columnCount())]
        column = header.index(detail.i18n("detail.item_note"))
        cells = [detail.items.data(detail.items.index(row, column)) for row in range(detail.items.rowCount())]
        assert cells == ["sin cebolla", ""]


def test_an_order_the_customer_cancelled_in_the_chat_says_so(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient, runtime: Runtime
) -> None:
    tenant_id = world.tenant_a.id
    customer, taco = customer_and_product(manager_a_client, tenant_id, "25")
    order = manager_a_client.orders.create(tenant_id, OrderInput(customer.id, (OrderLineInput(1, product_id=taco.id),)))
    reason = "cancelado por el cliente en el chat"
    result = runtime.services.orders.cancel_by_customer(tenant_id, order.number, customer.id, None, reason)
    assert result == ("cancelled", "cancelled")
    with order_detail(log_in(world.manager_a), qtbot, order.id) as detail:
        assert reason in detail.header.text() and not detail.buttons
        last = detail.history.item(detail.history.count() - 1).text()
        assert detail.i18n("actor.whatsapp") in last and reason in last and "whatsapp" not in last  # no raw code
