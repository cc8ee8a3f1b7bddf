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
A note that names another product ("al doriesquite ponle queso extra") orders it, as before.
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import among_cart
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.message_parts import SPLITS
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import ADDING, apply_reading
from comandia.server.chat.reading import Doubt, Item, Reading, is_option, read_order
from comandia.server.chat.restating import restates
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn
from comandia.server.chat.variants import STOPWORDS

_ADDING = ADDING | {"again", "iguales", "igual", "same", "mismo", "misma"}
"""Words, outside the note, that say the item is one more ("otra gringa sin piña", "another
one no pickles", "lo mismo"): an order, not a note on the line."""


_SWAP = re.compile(r"^(?:camb\w*|swap|switch|change|replace|instead|vez|lugar)$")
"""Words of a swap ("cambia la hawaiana con extra queso por una vegetariana", "en vez de"): read by `editing`."""


def noted_again(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """Each item of the message that is a product of the cart, said with a note, no count larger
    than its line and no word of adding, gives its line the note (that many units of it when
    fewer); what else the message names is ordered. None when no item is such."""
    words = intents.normalised(text).split()
    if restates(text) or intents.mentions(text, "remove") is not None or any(_SWAP.match(w) for w in words):
        return None  # "mejor 2 sin cebolla", "quita la coca", "cambia la hawaiana … por …": not a note
    reading = read_order(text, turn.catalog)
    if reading.unknown or reading.loose:
        return None  # words not understood, or a count of its own: read as an order
    cart = state.cart_dict()
    noted: list[tuple[Item | Doubt, ProductView, str]] = []
    said_items: tuple[Item | Doubt, ...] = (*reading.items, *reading.doubts)
    for said in said_items:
        line = _line_of(turn, state, said)
        note = (said.note or _tail(line, said.words)) if line is not None else ""  # "el cafe con leche de avena"
        if line is None or not _a_note(note) or (said.counted and said.quantity > cart[line.sku]):
            continue
        if _names_another(turn, line, f"{said.words} {note}"):
            return None  # "al doriesquite ponle queso extra": the Extra de queso is ordered, not a note
        noted.append((said, line, note))
    if not noted or _adds(text, [note for _, _, note in noted]):
        return None
    told: list[str] = []
    for said, line, said_note in noted:
        note = said_note if not said.counted or said.quantity == cart[line.sku] else f"{said.quantity} {said_note}"
        old = dict(state.notes).get(line.sku)
        joined = f"{old}, {note}" if old and old not in note and note not in old else note  # (fuller: replaces)
        state = replace(state, notes=(*(n for n in state.notes if n[0] != line.sku), (line.sku, joined)))
        told.append(turn.texts("note_set", name=line.name, note=joined))
    state = replace(state, stage="cart", last_sku=noted[-1][1].sku)
    taken = {id(said) for said, _, _ in noted}
    rest = replace(reading, items=tuple(i for i in reading.items if id(i) not in taken),
                   doubts=tuple(d for d in reading.doubts if id(d) not in taken))  # fmt: skip
    return apply_reading(turn, state, rest, "\n".join(told))


def _line_of(turn: Turn, state: ChatState, said: Item | Doubt) -> ProductView | None:
    """The cart line the item is: its product, or a doubt's best candidate when it is the one in
    the cart ("both combos w sprite": the Wing combo the customer ordered, not a question), or,
    for a doubt said with no count and only flavours or a split in halves for its note, the one line
    its other words name ("wings half garlic parm half hot" after 20 wings: those wings, whatever
    pack the words fit best)."""
    cart = state.cart_dict()
    if isinstance(said, Item):
        return said.product if said.product.sku in cart else None
    inside = [p for p in said.candidates if p.sku in cart]
    if inside:
        return inside[0] if len(inside) == 1 and said.candidates[0] == inside[0] else None
    noted = intents.normalised(said.note).split()
    if said.counted or not noted or not (noted[0] in SPLITS or all(is_option(w, lexicon()) for w in noted)):
        return None
    return among_cart(turn, state, " ".join(w for w in intents.normalised(said.words).split() if w not in noted))


_JOINTS = frozenset({"de", "con", "with", "w"})


def _tail(line: ProductView, said: str) -> str:
    """The words said after the line's whole name, joined to its last word by "de"/"con", that
    are no word of its names: how the line comes ("el cafe con leche de avena" after a Café con
    leche: «leche de avena», which the reader took as more of the name); "" when there are none."""
    typed = words_of(said)
    own = _own_keys(line)
    for at in range(1, len(typed) - 1):
        before, joint, after = typed[:at], typed[at], typed[at + 1 :]
        if joint in _JOINTS and all(key(w) in own for w in before) and not any(key(w) in own for w in after):
            return " ".join([before[-1], joint, *after]) if not set(after) <= STOPWORDS else ""
    return ""


def _names_another(turn: Turn, line: ProductView, said: str) -> bool:
    """Whether the words, without those of the line's names, name another product of the menu."""
    own = _own_keys(line)
    rest = " ".join(w for w in words_of(said) if key(w) not in own)
    reading = read_order(rest, turn.catalog) if rest else None
    return reading is not None and any(p != line for p in _named(reading))


def _named(reading: Reading) -> list[ProductView]:
    return [*(i.product for i in reading.items), *(p for d in reading.doubts for p in d.candidates)]


def _own_keys(line: ProductView) -> set[str]:
    return {key(w) for name in (line.name, *line.aliases) for w in words_of(name)}


def _a_note(note: str) -> bool:
    """Whether an item was said with a note that qualifies it ("el flan no" removes the flan)."""
    return bool(note) and not intents.is_exactly(note, "no")


def _adds(text: str, notes: list[str]) -> bool:
    """Whether the message has a word of adding outside the notes of the items."""
    noted = {w for note in notes for w in intents.normalised(note).split()}
    return bool(_ADDING & (set(intents.normalised(text).split()) - noted))
