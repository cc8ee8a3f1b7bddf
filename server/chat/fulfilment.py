"""Delivery or pickup, delivery zones, minimum order, payment method and cash: the checkout's
business rules, between the cart and the summary.

The checkout (`checkout.start_checkout`) asks, in order: delivery or pickup (`ask_first`, when the
tenant does both), the minimum order, the name, the address (not for pickup), the zone of that
address (`place_in_zone`: by the names of its cities or neighbourhoods, or by the distance of a
location pin from the business), the phone, the payment method and, for cash, how much the customer
pays with (`ask_payment`). `answer` reads the answers to these questions. Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from decimal import Decimal

from comandia.server.chat.model import Inbound, buttons_reply, fold, list_reply, text_reply
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, cart_lines, done
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import parse_amount
from comandia.shared.schemas.rules import BusinessRules, DeliveryZone

STAGES = ("fulfilment", "payment", "cash")
_EARTH_KM = 6371.0
_EXACT = ("exacto", "exact", "justo", "cabal", "completo", "sin cambio", "no necesito cambio", "no change")
_PICKUP_WORDS = ("recoger", "recojo", "paso", "pasar", "pickup", "pick up", "voy por", "en el local", "para llevar")
_DELIVERY_WORDS = (
    "domicilio", "envio", "envialo", "envien", "enviar", "mandar", "mandalo", "manden", "mandenlo", "mandenmelo",
    "traer", "traigan", "traiga", "traes", "traen", "traemelo", "llevan", "lleven", "llevenmelo", "delivery",
    "deliver", "a casa", "mi casa", "mi depa", "mi oficina", "my place", "my house", "my home", "bring it",
)  # fmt: skip
"""Words of a delivery answer ("que me la traigan a mi casa porfa"); pickup's are read first."""
_PAYMENT_WORDS: dict[str, tuple[str, ...]] = {
    "cash": ("efectivo", "cash", "billete", "contado"),
    "card_on_delivery": ("tarjeta", "card", "terminal", "debito", "credito"),
    "transfer": ("transferencia", "transfer", "spei", "deposito", "clabe"),
    "link": ("link", "liga", "enlace", "en linea", "online"),
}
_NUMBER = re.compile(r"\d+(?:[.,]\d{1,2})?")


def ask_first(turn: Turn, state: ChatState) -> ChatState | Outcome:
    """Before the delivery data: delivery or pickup, and the minimum order. An Outcome asks or refuses."""
    rules = turn.tenant.rules
    if state.fulfilment is None:
        if rules.fulfilment != "both":
            state = replace(state, fulfilment=rules.fulfilment)
        else:
            return _ask_fulfilment(turn, state, turn.texts("ask_fulfilment"))
    return _short_of(turn, state, None) or state


def place_in_zone(turn: Turn, state: ChatState) -> ChatState | Outcome:
    """After the address: the zone it falls in and the zone's minimum; an address outside every
    zone is told so (with pickup offered when the tenant does it)."""
    rules = turn.tenant.rules
    if state.fulfilment == "pickup" or not rules.delivery_zones or state.zone is not None:
        return state
    zone = zone_for(turn, state)
    if zone is None:
        if (
            state.latitude is None
            and any(z.radius_km is not None for z in rules.delivery_zones)
            and not any(z.cities for z in rules.delivery_zones)
        ):
            return done(replace(state, stage="address"), text_reply(turn.texts("ask_location_for_zone")))
        where = ", ".join(part for part in (state.address, state.city) if part)
        cleared = replace(state, address=None, city=None, latitude=None, longitude=None)
        body = turn.texts("out_of_zone", address=where)
        if rules.fulfilment == "both":
            return _ask_fulfilment(turn, replace(cleared, fulfilment=None), body + " " + turn.texts("offer_pickup"))
        return done(replace(cleared, stage="address"), text_reply(body + " " + turn.texts("ask_other_address")))
    state = replace(state, zone=zone.name)
    return _short_of(turn, state, zone) or state


def ask_payment(turn: Turn, state: ChatState) -> ChatState | Outcome:
    """After the phone: how the customer pays and, in cash, with how much."""
    methods = turn.tenant.rules.payment_methods
    if not methods:
        return state
    if state.payment is None:
        if len(methods) == 1:
            state = replace(state, payment=methods[0].kind)
        else:
            return _ask_payment(turn, state, turn.texts("ask_payment"))
    if state.payment == "cash" and state.pay_with is None:
        ask = turn.texts("ask_cash", total=turn.money(total(turn, state)))
        return done(replace(state, stage="cash"), text_reply(ask))
    return state


def answer(turn: Turn, state: ChatState, message: Inbound, reply_id: str | None) -> ChatState | Outcome:
    """The answer to the fulfilment, payment or cash question: the new state, or the question again."""
    text = fold(message.text)
    if state.stage == "fulfilment":
        chosen = reply_id[4:] if reply_id and reply_id.startswith("ful:") else _word_in(text, _FULFILMENT)
        if chosen not in ("delivery", "pickup"):
            return _ask_fulfilment(turn, state, turn.texts("ask_fulfilment"))
        return replace(state, fulfilment=chosen)
    if state.stage == "payment":
        kinds = {m.kind for m in turn.tenant.rules.payment_methods}
        kind = reply_id[4:] if reply_id and reply_id.startswith("pay:") else _word_in(text, _PAYMENT_WORDS)
        if kind not in kinds:
            return _ask_payment(turn, state, turn.texts("ask_payment"))
        return replace(state, payment=kind)
    if any(word in text for word in _EXACT):
        return replace(state, pay_with="")
    found = _NUMBER.search(message.text.replace(" ", ""))
    try:
        amount = parse_amount(found.group(0), "pay_with") if found else None
    except ValidationFailed:
        amount = None
    due = total(turn, state)
    if amount is None or amount < due:
        return done(state, text_reply(turn.texts("bad_cash", total=turn.money(due))))
    return replace(state, pay_with=format(amount, "f"))


def fee(turn: Turn, state: ChatState) -> Decimal:
    """The delivery fee of this order: 0 for pickup, the zone's, else the tenant's flat fee."""
    if state.fulfilment == "pickup":
        return Decimal("0.00")
    zone = _zone_named(turn, state.zone)
    return Decimal(zone.fee) if zone is not None else turn.tenant.delivery_fee


def eta_minutes(rules: BusinessRules, zone_name: str | None) -> int | None:
    """The estimated minutes told in the summary and the confirmation: the zone's, else the tenant's."""
    zone = next((z for z in rules.delivery_zones if z.name == zone_name), None) if zone_name else None
    if zone is not None and zone.eta_minutes is not None:
        return zone.eta_minutes
    return rules.eta_minutes


def total(turn: Turn, state: ChatState) -> Decimal:
    return cart_lines(turn, state)[1] + fee(turn, state)


def summary_lines(turn: Turn, state: ChatState) -> list[str]:
    """What the summary adds: where to pick up, the time, how the customer pays."""
    t = turn.texts
    lines = []
    rules = turn.tenant.rules
    eta = eta_minutes(rules, state.zone)
    if eta is not None:
        lines.append(t("eta_line", minutes=eta))
    method = next((m for m in rules.payment_methods if m.kind == state.payment), None)
    if method is not None:
        lines.append(t("payment_line", method=t(f"pay.{method.kind}")))
        if method.kind == "cash" and state.pay_with:
            change = Decimal(state.pay_with) - total(turn, state)
            lines.append(t("cash_line", amount=turn.money(Decimal(state.pay_with)), change=turn.money(change)))
        elif method.details:
            lines.append(t(f"details.{method.kind}", details=method.details))
    return lines


def zone_for(turn: Turn, state: ChatState) -> DeliveryZone | None:
    """The first zone whose city or neighbourhood names the address, or whose radius holds the pin."""
    rules = turn.tenant.rules
    words = f" {_plain(state.address or '')} {_plain(state.city or '')} "
    for zone in rules.delivery_zones:
        if any(f" {_plain(city)} " in words for city in zone.cities):
            return zone
        if (
            zone.radius_km is not None
            and rules.business_location is not None
            and state.latitude is not None
            and state.longitude is not None
        ):
            origin = rules.business_location
            if distance_km(origin.latitude, origin.longitude, state.latitude, state.longitude) <= zone.radius_km:
                return zone
    return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance (haversine), plenty for a delivery radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(a))


def _short_of(turn: Turn, state: ChatState, zone: DeliveryZone | None) -> Outcome | None:
    """Back to the cart when the subtotal is below the minimum (the zone's, else the tenant's)."""
    minimum = Decimal(zone.minimum_order) if zone is not None else Decimal(turn.tenant.rules.minimum_order)
    subtotal = cart_lines(turn, state)[1]
    if minimum <= 0 or subtotal >= minimum:
        return None
    body = turn.texts("below_minimum", minimum=turn.money(minimum), missing=turn.money(minimum - subtotal))
    return done(replace(state, stage="cart"), cart_buttons_reply(turn, state, body))


def _ask_fulfilment(turn: Turn, state: ChatState, body: str) -> Outcome:
    t = turn.texts
    buttons = [("ful:delivery", t("btn_delivery")), ("ful:pickup", t("btn_pickup"))]
    return done(replace(state, stage="fulfilment"), buttons_reply(body, buttons))


def _ask_payment(turn: Turn, state: ChatState, body: str) -> Outcome:
    t = turn.texts
    choices = [(f"pay:{m.kind}", t(f"pay.{m.kind}")) for m in turn.tenant.rules.payment_methods]
    reply = (
        buttons_reply(body, choices)
        if len(choices) <= 3
        else list_reply(body, t("payment_button"), [("", [(i, title, "") for i, title in choices])])
    )
    return done(replace(state, stage="payment"), reply)


def _zone_named(turn: Turn, name: str | None) -> DeliveryZone | None:
    return next((z for z in turn.tenant.rules.delivery_zones if z.name == name), None) if name else None


_FULFILMENT: dict[str, tuple[str, ...]] = {"pickup": _PICKUP_WORDS, "delivery": _DELIVERY_WORDS}


def _word_in(text: str, words: dict[str, tuple[str, ...]]) -> str | None:
    for key, options in words.items():
        if any(word in text for word in options):
            return key
    return None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())
