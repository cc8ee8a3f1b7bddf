"""A product already in the cart named again in a later message with a note and no word of
adding: "turkey club no tomato pls" after a turkey club, "uno de los lattes con leche de avena"
after 2 lattes, "2 cappuccinos with oat milk" after 2, "las 2 cubanas sin quesillo".

The restating rule (docs/whatsapp.md), the cases of a note: an attentive cashier hears a
customer who names again what they already ordered, saying only how it comes, as asking for it
that way, never as ordering one more. With no count, or as many as the line holds, the note is
the whole line's; with fewer, that many units of the line carry it («2 × Latte (1 con leche de
avena)», as "una sin cebolla" after 2 combos); nothing is added. A count larger than the line
is an order, as are words of adding ("otra", "another", "one more", "2 más", "agrégale": case
(a), read elsewhere) and of a change of mind ("mejor 2 sin cebolla", "que sean 3": `restating`).
"""

from __future__ import annotations

from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import apply_reading
from comandia.server.chat.reading import Item, read_order
from comandia.server.chat.restating import restates
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn

_ADDING = frozenset({"agrega", "agregale", "agregame", "agregue", "agreguele", "anade", "anademe", "anadele", "add",
                     "plus", "tambien", "also", "sumale", "suma", "mas", "more", "otro", "otra", "otros", "otras",
                     "another", "again", "iguales", "igual", "same", "mismo", "misma"})  # fmt: skip
"""Words, outside the note, that say the item is one more ("otra gringa sin piña", "another
one no pickles", "lo mismo"): an order, not a note on the line."""


def noted_again(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """Each item of the message that is a product of the cart, said with a note, no count larger
    than its line and no word of adding, gives its line the note (that many units of it when
    fewer); what else the message names is ordered. None when no item is such."""
    if restates(text) or intents.mentions(text, "remove") is not None:
        return None  # "mejor 2 sin cebolla", "quita la coca": a change of mind or a removal
    reading = read_order(text, turn.catalog)
    if reading.unknown or reading.loose:
        return None  # words not understood, or a count of its own: read as an order
    cart = state.cart_dict()
    noted: list[tuple[Item, ProductView]] = []
    for item in reading.items:
        if item.product.sku in cart and _a_note(item) and (not item.counted or item.quantity <= cart[item.product.sku]):
            noted.append((item, item.product))
    if not noted or _adds(text, [item for item, _ in noted]):
        return None
    said: list[str] = []
    for item, line in noted:
        note = item.note if not item.counted or item.quantity == cart[line.sku] else f"{item.quantity} {item.note}"
        old = dict(state.notes).get(line.sku)
        joined = f"{old}, {note}" if old and note not in old else note
        state = replace(state, notes=(*(n for n in state.notes if n[0] != line.sku), (line.sku, joined)))
        said.append(turn.texts("note_set", name=line.name, note=joined))
    state = replace(state, stage="cart", last_sku=noted[-1][1].sku)
    taken = {id(item) for item, _ in noted}
    rest = replace(reading, items=tuple(i for i in reading.items if id(i) not in taken))
    return apply_reading(turn, state, rest, "\n".join(said))


def _a_note(item: Item) -> bool:
    """Whether the item was said with a note that qualifies it ("el flan no" removes the flan)."""
    return bool(item.note) and not intents.is_exactly(item.note, "no")


def _adds(text: str, items: list[Item]) -> bool:
    """Whether the message has a word of adding outside the notes of the items."""
    noted = {w for item in items for w in intents.normalised(item.note).split()}
    return bool(_ADDING & (set(intents.normalised(text).split()) - noted))
