"""The order detail tells how the order is fulfilled and paid: delivery or pickup, the zone, the
fee, the payment method and the cash change (business rules, docs/business-rules.md)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from pytestqt.qtbot import QtBot

from comandia.console.formats import TenantFormat
from comandia.console.fulfilment import fulfilment_line
from comandia.console.i18n import Translator
from comandia.console.windows.orders import OrdersPage
from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_the_order_detail_shows_fulfilment_zone_fee_payment_and_change(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    tag = secrets.token_hex(3)
    tenant_id = world.tenant_a.id
    customer = manager_a_client.customers.create(
        tenant_id, CustomerInput(phone=f"+5255{secrets.randbelow(10**8):08d}", name=f"Cliente {tag}")
    )
    taco = manager_a_client.catalog.create_product(tenant_id, ProductInput(f"F-{tag}", f"Taco {tag}", Decimal("205")))
    delivered = manager_a_client.orders.create(tenant_id, OrderInput(
        customer.id, (OrderLineInput(2, product_id=taco.id),), delivery_fee=Decimal("30"), fulfilment="delivery",
        delivery_zone="Roma", payment_method="cash", pay_with=Decimal("500")))
    picked = manager_a_client.orders.create(tenant_id, OrderInput(
        customer.id, (OrderLineInput(1, product_id=taco.id),), fulfilment="pickup", payment_method="transfer"))
    window = log_in(world.manager_a)
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    seen: dict[int, str] = {}
    for order in (delivered, picked):
        qtbot.waitUntil(lambda o=order: any(r.id == o.id for r in page.model.records()), timeout=10_000)
        detail = page.open_detail(next(i for i, r in enumerate(page.model.records()) if r.id == order.id))
        assert detail is not None
        qtbot.waitUntil(lambda d=detail: d.order is not None, timeout=10_000)
        seen[order.id] = detail.fulfilment.text()
        qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
        detail.close()
    assert seen[delivered.id] == ("Delivery · zone Roma · delivery fee $30.00 · "
                                  "Payment: cash, pays with $500.00 (change $60.00)")  # the test reader's English
    assert seen[picked.id] == "Pickup · Payment: bank transfer"
    spanish = Translator("es")
    fmt = TenantFormat("America/Mexico_City", "MXN", "es")
    assert fulfilment_line(spanish, fmt, delivered) == (
        "A domicilio · zona Roma · envío $30.00 · Pago: efectivo, paga con $500.00 (cambio $60.00)")
    assert fulfilment_line(spanish, fmt, picked) == "Para recoger · Pago: transferencia"
