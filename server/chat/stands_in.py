"""A product said as a change of mind in place of a cart line the customer does not name: "mejor
un arroz chaufa" after a lomo saltado, "no, mejor el combo familiar" after medio pollo, "actually a
brisket sandwich instead" after the pulled pork. What an attentive cashier hears is "instead of
the one I asked of that kind": the one line of the cart of the new product's kind (its category)
goes, and the new product takes its place. Read as an order, the old line stayed beside the new
one and the confirmed order carried both, silently.

Only when it is surely so: a word of a change of mind and no word of adding ("y también un
sidral" adds), one product named surely and nothing else, and one line of its kind in the cart
(two of them and it is not known which one). A product of another kind is more ("mejor una coca"
after a pizza), and so is one said right after the bot answered a question ("¿tienen pan de
muerto?" … "mejor una concha": in place of what is not there, not of the croissant). Said with
"no" ("no, mejor un sidral"), `instead_last` has read it already, as the line talked about last.
"""

from __future__ import annotations

from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import is_add_on
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.ordering import ADDING_TOO, apply_reading
from comandia.server.chat.reading import Reading, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn


def stands_in(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """The cart with the one line of the named product's kind replaced by it, as many as the
    customer counted ("mejor 2 salchipapas"), else as many as the line held ("mejor el combo
    familiar"); None when the message is not that (`editing` tries the next reading)."""
    words = intents.normalised(text).replace("mas bien", "mejor").split()
    if not lexicon().change_of_mind & set(words) or ADDING_TOO & set(words) or state.asked:
        return None
    if state.last_sku is not None and state.last_sku not in state.cart_dict():
        return None  # the product talked about last is not in the cart (asked about, not there)
    reading = read_order(_said_new(turn, words), turn.catalog)
    if len(reading.items) != 1 or reading.doubts or reading.unknown or reading.loose or reading.noted:
        return None
    item = reading.items[0]
    new = item.product
    cart = state.cart_dict()
    if new.sku in cart or not new.available or is_add_on(turn, new):
        return None  # unavailable: read as an order, it is named back and the line stays
    kin = [
        p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None and p.category_id == new.category_id
    ]
    if len(kin) != 1:
        return None
    old = kin[0]
    quantity = item.quantity if item.counted else cart[old.sku]
    cart.pop(old.sku)
    swapped = Reading(items=(replace(item, quantity=quantity),))
    return apply_reading(turn, state.with_cart(cart), swapped, turn.texts("removed", name=old.name))


def _said_new(turn: Turn, words: list[str]) -> str:
    """The words that name the new product: those after the change of mind when the ones before it
    name nothing ("nel mejor una horchata", "sabes que mejor unos molletes": said to the person),
    else all but the change of mind ("actually sweet tea instead")."""
    at = next(i for i, w in enumerate(words) if w in lexicon().change_of_mind)
    before, after = words[:at], [w for w in words[at + 1 :] if w not in lexicon().change_of_mind]
    heard = read_order(" ".join(before), turn.catalog) if before else Reading()
    if after and not heard.items and not heard.doubts:
        return " ".join(after)
    return " ".join(w for w in words if w not in lexicon().change_of_mind)
