"""Repeat orders: "lo mismo de la vez pasada", "repetir pedido", "same as last time" put the
customer's last order in the cart (what is still on sale), to check out as usual. Pure."""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat.model import LatestOrder, fold
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done, home_reply

_REPEAT = re.compile(
    r"\b(lo mismo( que| de)? (la (vez|ultima vez)|el (pedido )?pasado|la otra vez|siempre|ayer)|lo de siempre|"
    r"(repet|repit)\w* (mi |el )?(ultimo )?pedido|(otra vez|de nuevo) (lo mismo|mi pedido)|"
    r"same (as|order as) (last time|before)|repeat (my )?(last )?order|the usual)\b"
)


def wants_repeat(text: str) -> bool:
    """Whether `text` asks for the last order again."""
    return bool(_REPEAT.search(fold(text)))


def repeat_last(turn: Turn, state: ChatState, latest: LatestOrder | None) -> Outcome:
    """The last order's lines still on sale as the cart; the rest named back."""
    if latest is None or not latest.lines:
        return done(state, home_reply(turn, state, turn.texts("no_orders")))
    cart: dict[str, int] = {}
    gone: list[str] = []
    for sku, quantity in latest.lines:
        product = turn.catalog.product(sku)
        if product is None or not product.available:
            gone.append(product.name if product is not None else sku)
        else:
            cart[product.sku] = cart.get(product.sku, 0) + quantity
    body = turn.texts("repeat_order", number=latest.number)
    if gone:
        body += " " + turn.texts("repeat_gone", names=", ".join(gone))
    state = replace(state.with_cart(cart), stage="cart")
    outcome = done(state, cart_buttons_reply(turn, state, body))
    return replace(outcome, named_back=tuple(gone))
