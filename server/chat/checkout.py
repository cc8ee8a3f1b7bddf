"""The cart (show, change, remove, empty) and checkout: name, address and city (or a location
pin), a phone when WhatsApp gave none, the summary, and the confirmation that yields a draft.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from comandia.server.chat import fulfilment, hours
from comandia.server.chat.model import Inbound, OrderDraft, Row, buttons_reply, list_reply, text_reply
from comandia.server.chat.parsing import MAX_QUANTITY
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, cart_lines, done, home_reply, line_name
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.phones import to_e164

MAX_NAME = 120
MAX_ADDRESS = 500
MAX_CITY = 120
_CART_LINE_ROWS = 7  # + checkout, more, empty = 10 rows


def show_cart(turn: Turn, state: ChatState, prefix: str = "") -> Outcome:
    """The cart as a list: a row per line (to change or remove it), then check out, add, empty."""
    lines, _ = cart_lines(turn, state)
    if not lines:
        return done(replace(state, stage="start"), cart_buttons_reply(turn, state.with_cart({}), prefix))
    t = turn.texts
    rows: list[Row] = [
        (f"line:{p.sku}", p.name, f"{q} × {turn.money(p.price)} = {turn.money(a)}")
        for p, q, a in lines[:_CART_LINE_ROWS]
    ]
    rows += [("checkout", t("btn_checkout"), ""), ("menu", t("btn_more_products"), ""),
             ("empty", t("btn_empty"), "")]  # fmt: skip
    body = cart_buttons_reply(turn, state, prefix).body + "\n\n" + t("cart_hint")
    return done(replace(state, stage="cart"), list_reply(body, t("cart_button"), [("", rows)]))


def edit_line(turn: Turn, state: ChatState, sku: str) -> Outcome:
    """Ask for a cart line's new quantity (0 removes it)."""
    quantity = state.cart_dict().get(sku)
    product = turn.catalog.product(sku)
    if quantity is None or product is None:
        return show_cart(turn, state)
    t = turn.texts
    reply = buttons_reply(
        t("edit_line", name=product.name, quantity=quantity),
        [(f"rm:{sku}", t("btn_remove")), ("cart", t("btn_cart"))],
    )
    return done(replace(state, stage="edit", pending_sku=sku), reply)


def set_quantity(turn: Turn, state: ChatState, quantity: int | None) -> Outcome:
    """The answer to `edit_line`: the new quantity of the line being edited."""
    sku = state.pending_sku
    if sku is None:
        return show_cart(turn, state)
    if quantity is None or not 0 <= quantity <= MAX_QUANTITY:
        return done(state, text_reply(turn.texts("bad_quantity", max=MAX_QUANTITY)))
    if quantity == 0:
        return remove(turn, state, sku)
    product = turn.catalog.product(sku)
    if product is not None and product.stock is not None and quantity > product.stock:
        return done(state, text_reply(turn.texts("out_of_stock", stock=product.stock, name=product.name)))
    cart = state.cart_dict()
    cart[sku] = quantity
    return show_cart(turn, replace(state.with_cart(cart), pending_sku=None))


def remove(turn: Turn, state: ChatState, sku: str) -> Outcome:
    cart = state.cart_dict()
    product = turn.catalog.product(sku)
    name = product.name if product is not None else sku
    if cart.pop(sku, None) is None:
        return show_cart(turn, state, turn.texts("not_in_cart", name=name))
    return show_cart(turn, replace(state.with_cart(cart), pending_sku=None), turn.texts("removed", name=name))


def empty_cart(turn: Turn, state: ChatState) -> Outcome:
    state = replace(state.with_cart({}), stage="start", pending_sku=None)
    return done(state, home_reply(turn, state, turn.texts("cart_emptied")))


def start_checkout(turn: Turn, state: ChatState) -> Outcome:
    """Ask for the delivery data still missing, then show the summary."""
    if not cart_lines(turn, state)[0]:
        return show_cart(turn, state)
    refusal = hours.checkout_refusal(turn)
    if refusal is not None:  # paused, or closed and the tenant takes no orders for later
        return done(replace(state, stage="start"), home_reply(turn, state, refusal))
    first = fulfilment.ask_first(turn, state)  # delivery or pickup, the minimum order
    if isinstance(first, Outcome):
        return first
    state = first
    t = turn.texts
    if state.name is None:
        buttons = []
        if turn.customer.profile_name:
            buttons.append(("usename", t("btn_use_name", name=turn.customer.profile_name)))
        reply = buttons_reply(t("ask_name"), buttons) if buttons else text_reply(t("ask_name"))
        return done(replace(state, stage="name"), reply)
    if state.fulfilment != "pickup":
        if state.address is None:
            return done(replace(state, stage="address"), text_reply(t("ask_address")))
        if state.city is None and state.latitude is None:
            return done(replace(state, stage="city"), text_reply(t("ask_city")))
        zoned = fulfilment.place_in_zone(turn, state)
        if isinstance(zoned, Outcome):
            return zoned
        state = zoned
    if state.phone is None and turn.customer.phone_e164 is None and turn.customer.wa_id is None:
        return done(replace(state, stage="phone"), text_reply(t("ask_phone")))
    paying = fulfilment.ask_payment(turn, state)
    return paying if isinstance(paying, Outcome) else summary(turn, paying)


def answer_delivery(turn: Turn, state: ChatState, message: Inbound, reply_id: str | None) -> Outcome:
    """A text answering the name, address, city or phone question (or a location pin), or one of
    the business rules' questions (delivery or pickup, payment, cash: `fulfilment.answer`)."""
    if message.kind == "location" and message.latitude is not None and message.longitude is not None:
        return take_location(turn, state, message)
    if state.stage in fulfilment.STAGES:
        answered = fulfilment.answer(turn, state, message, reply_id)
        return answered if isinstance(answered, Outcome) else start_checkout(turn, answered)
    if state.stage == "name" and reply_id == "usename" and turn.customer.profile_name:
        return start_checkout(turn, replace(state, name=turn.customer.profile_name[:MAX_NAME]))
    text = " ".join(message.text.split())
    limit = {"name": MAX_NAME, "address": MAX_ADDRESS, "city": MAX_CITY, "phone": 40}[state.stage]
    if message.kind != "text" or not text or len(text) > limit:
        return done(state, text_reply(turn.texts("bad_text", max=limit)))
    if state.stage == "phone":
        try:
            return start_checkout(turn, replace(state, phone=to_e164(text)))
        except ValidationFailed:
            return done(state, text_reply(turn.texts("bad_phone")))
    if state.stage == "name":
        return start_checkout(turn, replace(state, name=bare_name(text)))
    if state.stage == "address":
        return start_checkout(turn, replace(state, address=text, city=state.city or city_in(text), zone=None))
    return start_checkout(turn, replace(state, city=text, zone=None))


_NAME_OPENERS = re.compile(
    r"^(?:(?:hola|buenas|hi|hello)[,!.\s]+)?(?:yo\s+)?(?:soy|me llamo|mi nombre es|a nombre de|es para|para|"
    r"i am|i'm|im|my name is|name is|it's|its|this is|nombre:?)\s+",
    re.IGNORECASE,
)


def bare_name(text: str) -> str:
    """The name without the words around it: "soy Lupita" -> "Lupita", "my name is Ann" -> "Ann"."""
    name = _NAME_OPENERS.sub("", text.strip()).strip(" .,!")
    return name or text


def city_in(address: str) -> str | None:
    """The city an address already names ("…, Roma Norte, CDMX" -> "CDMX"), so it is not asked.

    Street, neighbourhood, city: three comma-separated parts, the last without digits.
    """
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if len(parts) >= 3 and not any(c.isdigit() for c in parts[-1]):
        return parts[-1][:MAX_CITY]
    return None


def take_location(turn: Turn, state: ChatState, message: Inbound) -> Outcome:
    """A location pin stands for the address and the city."""
    place = message.location_address or message.location_name or f"{message.latitude}, {message.longitude}"
    state = replace(
        state, address=place[:MAX_ADDRESS], latitude=message.latitude, longitude=message.longitude, zone=None
    )
    if state.stage in ("name", "address", "city", "phone", "summary"):
        return start_checkout(turn, state)
    return done(state, cart_buttons_reply(turn, state, turn.texts("location_received")))


def summary(turn: Turn, state: ChatState) -> Outcome:
    t = turn.texts
    lines, total = cart_lines(turn, state)
    text_lines = "\n".join(
        t("cart_line", quantity=q, name=line_name(turn, state, p), total=turn.money(a)) for p, q, a in lines
    )
    fee = fulfilment.fee(turn, state)
    if fee > 0:  # the order service adds the same fee, so the total shown is the total charged
        text_lines += "\n" + t("delivery_fee_line", fee=turn.money(fee))
        total += fee
    address = ", ".join(part for part in (state.address, state.city, state.directions) if part)
    if state.fulfilment == "pickup":
        address = t("pickup_where", address=turn.tenant.rules.pickup_address)
    body = t("summary", lines=text_lines, total=turn.money(total), name=state.name or "", address=address)
    later = hours.later_line(turn)
    body += "".join(f"\n{line}" for line in [*fulfilment.summary_lines(turn, state), *([later] if later else [])])
    reply = buttons_reply(body, [("confirm", t("btn_confirm")), ("cart", t("btn_change")), ("cancel", t("btn_cancel"))])
    return done(replace(state, stage="summary"), reply)


def confirm(turn: Turn, state: ChatState) -> Outcome:
    """In the summary: hand the order to the service as a draft. Elsewhere: say where we are."""
    if state.stage != "summary":
        if not state.cart and state.last_order is not None:
            return done(state, text_reply(turn.texts("already_placed", number=state.last_order)))
        return start_checkout(turn, state) if state.cart else show_cart(turn, state)
    lines, _ = cart_lines(turn, state)
    if not lines:
        return show_cart(turn, state)
    refusal = hours.checkout_refusal(turn)  # paused while the summary was shown
    if refusal is not None:
        return done(replace(state, stage="start"), home_reply(turn, state, refusal))
    draft = OrderDraft(
        lines=tuple((p.sku, q) for p, q, _ in lines),
        name=state.name or "",
        address=", ".join(part for part in (state.address, state.directions) if part),
        city=state.city,
        phone=state.phone,
        latitude=state.latitude,
        longitude=state.longitude,
        notes=tuple(n for n in state.notes if any(p.sku == n[0] for p, _, _ in lines)),
        fulfilment=state.fulfilment or "delivery",
        delivery_fee=fulfilment.fee(turn, state),
        zone=state.zone,
        payment=state.payment,
        pay_with=Decimal(state.pay_with) if state.pay_with else None,
        sequence=state.sequence + 1,
    )
    return Outcome(state, (), draft)


def cancel(turn: Turn, state: ChatState) -> Outcome:
    if not state.cart and state.stage == "start":
        return done(state, home_reply(turn, state, turn.texts("nothing_to_cancel")))
    fresh = state.restarted()
    return done(replace(fresh, greeted=True), home_reply(turn, fresh, turn.texts("cancelled")))
