"""The order detail tells how the order is fulfilled and paid: delivery or pickup, the zone, the
fee, the payment method and the cash change (business rules, docs/business-rules.md)."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from comandia.console.formats import TenantFormat
from comandia.console.fulfilment import fulfilment_line
from comandia.console.i18n import Translator
from comandia.shared.client import ApiClient
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from tests.console.conftest import LogIn, customer_and_product, order_detail
from tests.plugins.api import World


def test_the_order_detail_shows_fulfilment_zone_fee_payment_and_change(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    tenant_id = world.tenant_a.id
    customer, taco = customer_and_product(manager_a_client, tenant_id, "205")
    delivered = manager_a_client.orders.create(
        tenant_id,
        OrderInput(
            customer.id,
            (OrderLineInput(2, product_id=taco.id),),
            delivery_fee=Decimal("30"),
            fulfilment="delivery",
            delivery_zone="Roma",
            payment_method="cash",
            pay_with=Decimal("500"),
        ),
    )
    picked = manager_a_client.orders.create(
        tenant_id,
        OrderInput(
            customer.id, (OrderLineInput(1, product_id=taco.id),), fulfilment="pickup", payment_method="transfer"
        ),
    )
    window = log_in(world.manager_a)
    seen: dict[int, str] = {}
    for order in (delivered, picked):
        with order_detail(window, qtbot, order.id) as detail:
            seen[order.id] = detail.fulfilment.text()
    assert seen[delivered.id] == (
        "Delivery · zone Roma · delivery fee $30.00 · Payment: cash, pays with $500.00 (change $60.00)"
    )  # the test reader's English
    assert seen[picked.id] == "Pickup · Payment: bank transfer"
    spanish = Translator("es")
    fmt = TenantFormat("America/Mexico_City", "MXN", "es")
    assert fulfilment_line(spanish, fmt, delivered) == (
        "A domicilio · zona Roma · envío $30.00 · Pago: efectivo, paga con $500.00 (cambio $60.00)"
    )
    assert fulfilment_line(spanish, fmt, picked) == "Para recoger · Pago: transferencia"
