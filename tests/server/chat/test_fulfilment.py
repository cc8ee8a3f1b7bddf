"""Delivery or pickup, zones by name or radius, minimum order, payment and cash: the checkout's
business rules, played through the pure flow."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from comandia.server.chat import flow, fulfilment
from comandia.server.chat.model import Inbound, Reply, TenantContext
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome
from comandia.shared.schemas.rules import BusinessRules, DeliveryZone, Location, PaymentMethod
from tests.server.chat.menu import ANA, ES, MENU

ZONES = (
    DeliveryZone(
        "Centro", Decimal("30"), cities=("Centro", "Roma Norte"), minimum_order=Decimal("100"), eta_minutes=35
    ),
    DeliveryZone("Cerca", Decimal("15"), radius_km=2.0, eta_minutes=25),
)
RULES = BusinessRules(
    fulfilment="both",
    pickup_address="Av. Juárez 12, Centro",
    business_location=Location(19.4326, -99.1332),
    delivery_zones=ZONES,
    eta_minutes=45,
    payment_methods=(
        PaymentMethod("cash"),
        PaymentMethod("transfer", "BBVA CLABE 0121 8000 1234"),
        PaymentMethod("card_on_delivery"),
    ),
)
CART = ChatState(greeted=True, cart=(("PZ-MAR", 2),), name="Ana")


class Chat:
    def __init__(self, rules: BusinessRules = RULES, state: ChatState = CART) -> None:
        self.tenant: TenantContext = replace(ES, rules=rules)
        self.state = state
        self.outcome: Outcome | None = None

    def send(self, message: Inbound) -> Reply:
        self.outcome = flow.step(self.state, message, self.tenant, MENU, ANA)
        self.state = self.outcome.state
        return self.outcome.replies[0] if self.outcome.replies else Reply("(draft)")

    def say(self, text: str) -> Reply:
        return self.send(Inbound(kind="text", text=text))

    def tap(self, reply_id: str) -> Reply:
        return self.send(Inbound(kind="button", reply_id=reply_id))


def test_pickup_skips_the_address_and_shows_where_to_pick_up() -> None:
    chat = Chat()
    assert chat.tap("checkout").body == "¿Lo enviamos a domicilio o pasas a recogerlo?"
    assert chat.say("lo recojo en el local").body == "¿Cómo vas a pagar?"
    reply = chat.say("tarjeta")
    assert "para recoger en Av. Juárez 12, Centro" in reply.body and "Envío" not in reply.body
    assert "Pago: Tarjeta al recibir" in reply.body
    chat.tap("confirm")
    assert chat.outcome is not None and chat.outcome.draft is not None
    draft = chat.outcome.draft
    assert (draft.fulfilment, draft.delivery_fee, draft.payment, draft.zone) == (
        "pickup",
        Decimal("0.00"),
        "card_on_delivery",
        None,
    )


def test_a_named_neighbourhood_sets_the_zone_fee_time_and_cash_change() -> None:
    chat = Chat()
    chat.tap("checkout")
    chat.tap("ful:delivery")
    chat.say("Calle Orizaba 45, col. Roma Norte")
    assert chat.say("CDMX").body == "¿Cómo vas a pagar?"
    assert "El total es $270.00" in chat.tap("pay:cash").body
    reply = chat.say("con un billete de 500")
    assert "Envío — $30.00" in reply.body and "Tiempo estimado: 35 min" in reply.body
    assert "Pagas con $500.00; tu cambio: $230.00." in reply.body
    chat.tap("confirm")
    assert chat.outcome is not None and chat.outcome.draft is not None
    assert (chat.outcome.draft.zone, chat.outcome.draft.pay_with) == ("Centro", Decimal("500"))
    placed = flow.order_placed(chat.tenant, chat.state, 7, "$270.00")
    assert "Tiempo estimado: 35 min" in placed.replies[0].body


def test_a_location_pin_within_the_radius_is_in_the_near_zone() -> None:
    chat = Chat(replace_rules(payment_methods=()))
    chat.tap("checkout")
    chat.tap("ful:delivery")
    pin = Inbound(kind="location", latitude=19.4400, longitude=-99.1400, location_address="Calle 5 de Mayo 10")
    reply = chat.send(pin)
    assert "Envío — $15.00" in reply.body and "25 min" in reply.body
    assert fulfilment.distance_km(19.4326, -99.1332, 19.44, -99.14) < 2


def test_an_address_outside_every_zone_is_told_and_offered_pickup() -> None:
    chat = Chat()
    chat.tap("checkout")
    chat.tap("ful:delivery")
    chat.say("Av. Universidad 3000, Coyoacán")
    reply = chat.say("CDMX")
    assert "no hacemos envíos a Av. Universidad 3000, Coyoacán, CDMX" in reply.body
    assert [i for i, _ in reply.buttons] == ["ful:delivery", "ful:pickup"]
    assert chat.tap("ful:delivery").body.startswith("¿A qué dirección")  # another address


def test_below_the_zone_minimum_goes_back_to_the_cart() -> None:
    chat = Chat(state=replace(CART, cart=(("COCA", 2),)))
    chat.tap("checkout")
    chat.tap("ful:delivery")
    chat.say("Centro, junto al zócalo")
    reply = chat.say("CDMX")
    assert "El pedido mínimo es de $100.00; te faltan $50.00" in reply.body and chat.state.stage == "cart"


def test_the_tenants_minimum_applies_before_any_question() -> None:
    chat = Chat(replace_rules(minimum_order=Decimal("500"), fulfilment="delivery"))
    assert "te faltan $260.00" in chat.tap("checkout").body


def test_a_single_payment_method_is_not_asked_and_transfer_details_are_shown() -> None:
    rules = replace_rules(fulfilment="pickup", payment_methods=(PaymentMethod("transfer", "CLABE 0121"),))
    reply = Chat(rules).tap("checkout")
    assert "Datos para la transferencia: CLABE 0121" in reply.body


def test_cash_amounts_below_the_total_are_asked_again_and_exact_is_taken() -> None:
    chat = Chat(replace_rules(fulfilment="pickup"))
    chat.tap("checkout")
    chat.say("efectivo")
    assert "No entendí el monto" in chat.say("100").body
    assert "Pago: Efectivo" in chat.say("exacto").body


def replace_rules(**changes: object) -> BusinessRules:
    import msgspec

    return msgspec.structs.replace(RULES, **changes)
