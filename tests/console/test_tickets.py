"""The kitchen ticket's text and the alert's sound, without a server."""

from __future__ import annotations

import datetime as dt
import importlib.util
import wave
from decimal import Decimal

from comandia.console.alerts import CHIME, Alerts
from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.console.tickets import ticket_html
from comandia.shared.schemas.orders import OrderDetail, OrderItemInfo

CREATED = dt.datetime(2026, 12, 5, 2, 30, tzinfo=dt.UTC)  # 20:30 of the 4th in Mexico City


def order(**changes: object) -> OrderDetail:
    fields: dict[str, object] = dict(
        id=7,
        number=1042,
        status="new",
        channel="whatsapp",
        customer_id=3,
        customer_name="Lupita Díaz",
        customer_phone="+5215512345678",
        delivery_address="Av. Juárez 12",
        delivery_city="CDMX",
        delivery_region=None,
        notes="tocar el timbre dos veces",
        subtotal=Decimal("50175.00"),
        delivery_fee=Decimal("0"),
        total=Decimal("50175.00"),
        currency="MXN",
        extra={},
        version=1,
        created_at=CREATED,
        updated_at=CREATED,
        confirmed_at=None,
        shipped_at=None,
        completed_at=None,
        cancelled_at=None,
        cancel_reason=None,
        history=(),
        allowed_next=("confirmed", "cancelled"),
        items=(
            OrderItemInfo(
                id=1,
                product_id=1,
                sku="T1",
                name="Torta & <queso>",
                unit_price=Decimal("25087.50"),
                quantity=2,
                line_total=Decimal("50175.00"),
                note="sin cebolla",
            ),
        ),
        delivery_zone="Centro",
        payment_method="cash",
        pay_with=Decimal("50200"),
    )
    fields.update(changes)
    return OrderDetail(**fields)  # type: ignore[arg-type]


MEXICO = TenantFormat("America/Mexico_City", "MXN", "es", "es_MX")


def test_a_delivery_ticket_says_where_what_how_it_is_paid_in_the_tenants_money_and_time() -> None:
    text = ticket_html(order(), Translator("es"), MEXICO)
    assert "Comanda del pedido #1042" in text and "A DOMICILIO" in text
    assert "2×" in text and "Torta &amp; &lt;queso&gt;" in text and "sin cebolla" in text
    assert "Av. Juárez 12, Centro, CDMX" in text and "tocar el timbre dos veces" in text
    assert "$50,175.00" in text and "$50.175,00" not in text
    assert "efectivo · paga con $50,200.00, cambio $25.00" in text
    assert "4/12/2026 8:30" in text and "Lupita Díaz" in text  # the tenant's evening, not UTC's 02:30


def test_a_pick_up_ticket_in_english_has_no_address_and_no_change_line() -> None:
    text = ticket_html(order(fulfilment="pickup", payment_method="transfer", pay_with=None), Translator("en"), MEXICO)
    assert "PICK-UP" in text and "Av. Juárez" not in text and "bank transfer" in text and "change" not in text


def test_a_test_chats_order_says_on_top_of_its_ticket_not_to_prepare_it() -> None:
    text = ticket_html(order(channel="sandbox"), Translator("es"), MEXICO)
    assert text.index("PEDIDO DE PRUEBA: no preparar") < text.index("Comanda del pedido #1042")
    assert "PRUEBA" not in ticket_html(order(), Translator("es"), MEXICO)


def test_the_alert_chimes_with_qtmultimedia_and_beeps_without(qapp: object) -> None:
    with wave.open(str(CHIME)) as chime:
        assert chime.getnframes() / chime.getframerate() > 0.3
    alerts = Alerts()
    alerts.raise_alert("Pedido nuevo", "Llegó un pedido nuevo por WhatsApp.")
    has_multimedia = importlib.util.find_spec("PySide6.QtMultimedia") is not None
    assert alerts.count == 1 and alerts.sound == ("chime" if has_multimedia else "beep")
