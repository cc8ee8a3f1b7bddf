"""A count set in one message and the next going on with "and": "make it 6 tacos" … "and 2
lemonades" sets the lemonades at 2 as well (the "make it" carries on), never 2 more of them.

Only right after a message that set a count (`ChatState.setting`), only for lines the cart has,
each with its count said, and never when a word of adding is there ("and 2 more lemonades",
"y otra coca" add as always).
"""

from __future__ import annotations

from dataclasses import replace

from comandia.server.chat.intents import mentions, normalised
from comandia.server.chat.lexicon import MAX_NUMBER
from comandia.server.chat.ordering import ADDING
from comandia.server.chat.reading import read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done

_GOING_ON = frozenset({"y", "e", "and"})


def goes_on(state: ChatState, text: str) -> bool:
    """Whether the message may go on with the count the message before set: it opens with "y"/"and"
    and says no word of adding ("y 2 aguas", "and 2 lemonades"; not "and 2 more lemonades")."""
    words = normalised(text).split()
    return state.setting and len(words) > 1 and words[0] in _GOING_ON and not ADDING & set(words[1:])


def sets(text: str) -> bool:
    """Whether the message says a word of setting a count ("make it", "que sean", "déjalo en")."""
    return mentions(text, "set") is not None


def set_on(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """The lines the message names set at the counts it says, when it goes on with the count the
    message before set (`goes_on`) and every product it names is a line of the cart, counted and
    with nothing else said; None otherwise (read as any other message)."""
    if not goes_on(state, text):
        return None
    reading = read_order(" ".join(normalised(text).split()[1:]), turn.catalog)
    cart = state.cart_dict()
    if not reading.items or reading.doubts or reading.unknown or reading.loose or reading.notes:
        return None
    if not all(i.product.sku in cart and i.counted and not i.note for i in reading.items):
        return None
    said = []
    for item in reading.items:
        cart[item.product.sku] = min(item.quantity, MAX_NUMBER)
        said.append(turn.texts("quantity_set", quantity=cart[item.product.sku], name=item.product.name))
    changed = replace(state.with_cart(cart), last_sku=reading.items[-1].product.sku)
    return done(changed, cart_buttons_reply(turn, changed, "\n".join(said)))
