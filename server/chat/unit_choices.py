"""What each unit of a cart line comes with, said in a later message: "una con mole y otra con
tinga" after 2 comidas corridas (whose description offers the guisado), "one with sprite one with
coke" after 2 combos.

Said in the same message as the line ("2 comidas corridas, una con mole y otra con tinga") the
reader already keeps it as the line's note (`reading._included`). Said after, it was read as an
order of its own: a Mole poblano came beside the meals, and the tinga was asked about, silently
charging a dish the customer chose as part of the meal. The message is read as said right after
the line: when that reading is the line alone, as many, with a note, the note is the line's.
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import count_of, last_line
from comandia.server.chat.matching import key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.model import ProductView
from comandia.server.chat.reading import Reading, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import STOPWORDS

_OPENING = re.compile(r"^\W*(?:(?:ah|ay|oh|ok|okay|bueno|pues|oye|oiga|mira)\b\W*)*", re.IGNORECASE)
"""Words said before the first unit's count ("ah, una con mole …"), naming nothing."""


_UNIT = frozenset({"una", "uno", "one", "otra", "otro", "other", "1"})
"""The words that say a unit each: "UNA con mole y OTRA con tinga", "ONE with sprite, ONE with coke"."""


def _name_keys(product: ProductView) -> set[str]:
    return {key(w) for name in (product.name, *product.aliases) for w in words_of(name) if w not in STOPWORDS}


def unit_choices(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """The note of the line talked about last, when it holds several units, the message opens with
    a count below them, says two units or more without naming the line and, read right after that
    line, is the line alone with a note (the choices its description offers); None otherwise
    (products of their own: an order, or another edit)."""
    line = last_line(turn, state, in_cart=True)
    held = state.cart_dict().get(line.sku, 0) if line is not None else 0
    text = _OPENING.sub("", text)
    words = intents.normalised(text).split()
    first = count_of(words[0]) if words else None
    if line is None or held < 2 or first is None or not 0 < first < held:
        return None
    if len([w for w in words if w in _UNIT]) < 2 or {key(w) for w in words} & _name_keys(line):
        return None  # "una de las cocas bien helada", "2 de los de pastor que sean de suadero": the line named
    together = read_order(f"{held} {line.name}, {text}", turn.catalog)
    if len(together.items) != 1 or replace(together, items=(), language=None) != Reading():
        return None
    item = together.items[0]
    if item.product != line or item.quantity != held or not item.note:
        return None
    old = dict(state.notes).get(line.sku)
    note = f"{old}, {item.note}" if old and item.note not in old else item.note
    notes = (*(n for n in state.notes if n[0] != line.sku), (line.sku, note))
    state = replace(state, notes=notes, stage="cart", last_sku=line.sku)
    return done(state, cart_buttons_reply(turn, state, turn.texts("note_set", name=line.name, note=note)))
