"""Some units of a cart line said again as another kind of it, by a count and the words that make
the kind alone: "uno mejor chico" after 2 jugos de naranja grandes, "uno grande mejor" after 2
americanos, "dos con leche porfa" after 3 jugos de frutilla, "uno de vainilla mejor" after 2
lattes.

The restating rule (docs/whatsapp.md, RULE c/d): the count is of the line's own units, never
more of them, since the words name no dish of their own: that many units move to the kind they
make of the line, and the rest stay (the large juice the customer kept was lost when both were
made small, silently). As many as the line holds: the whole line becomes that kind. Said after a
word of change of mind ("mejor uno chico") the count may be the whole order ("only one, small"),
and that stays as it was read before (`line_changes.variant`).
"""

from __future__ import annotations

from comandia.server.chat import intents
from comandia.server.chat.cart_words import count_of, counted, last_line, set_lines
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import apply_reading
from comandia.server.chat.reading import Item, Reading
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn
from comandia.server.chat.variants import SIZES, STOPWORDS, variant_of

_SAID_ASIDE = frozenset({"mejor", "better", "actually", "rather", "instead", "porfa", "porfis", "please", "pls",
                         "plis", "xfa", "gracias", "thanks", "pues", "bueno", "ok", "okay", "oye", "oiga",
                         "ah", "ay", "uy", "hmm", "che"})  # fmt: skip
"""Words around the count and the kind that say neither ("uno mejor chico porfa")."""
_OPENING = frozenset({"ah", "ay", "uy", "oye", "oiga", "ok", "okay", "bueno", "pues", "hmm", "che", "oh"})
"""Words said to the person before the count ("oye, uno grande mejor")."""
_ADDING = frozenset({"y", "e", "and", "otro", "otra", "otros", "otras", "another", "mas", "more", "plus", "also",
                     "tambien", "agrega", "agregale", "add", "extra"})  # fmt: skip
"""Words that make the count more of the kind ("y uno grande", "one more large"): an order."""
_MARKED = frozenset({"de", "con", "sin"})
_MINDED = frozenset({"mejor", "better", "actually", "rather", "instead"})
"""A change of mind: with one, a flavour names the kind of the line ("uno de vainilla mejor");
without, only a size or a "con"/"sin" does ("dos con leche porfa")."""


def some_made_kind(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """That many units of the cart line the words make a kind of moved to it; None when the
    message is no such change (not opened by a count, words that add, name a dish, or fit no
    line, or a count larger than the line's)."""
    words = intents.normalised(text).split()
    while words and words[0] in _OPENING:
        words = words[1:]
    some = count_of(words[0]) if words else None
    rest = [w for w in words[1:] if w not in _SAID_ASIDE]
    if not some or not rest or _ADDING & set(rest) or counted(rest):
        return None
    fillers = lexicon().fillers
    kind = [w for w in rest if w not in fillers or w in SIZES or w in _MARKED]
    if not [w for w in kind if w not in _MARKED]:
        return None  # "uno porfa": no kind said
    if not _MINDED & set(words) and not (all(w in SIZES for w in kind) or kind[0] in ("con", "sin")):
        return None  # "2 de suadero" after 3 de pastor, with no change of mind: a dish of its own, ordered
    found = _line_and_kind(turn, state, kind)
    if found is None:
        return None
    line, other = found
    held = state.cart_dict()[line.sku]
    if some > held:
        return None  # more than the line holds: an order of that kind
    resized = all(w in SIZES for w in kind)
    note = dict(state.notes).get(line.sku, "") if resized else ""
    left = set_lines(turn, state, [(line, held - some)], last=line.sku)
    if held > some:
        said = turn.texts("quantity_set", quantity=held - some, name=line.name)
    else:
        said = turn.texts("removed", name=line.name)
    return apply_reading(turn, left.state, Reading(items=(Item(other, some, note, " ".join(kind)),)), said)


def _line_and_kind(turn: Turn, state: ChatState, kind: list[str]) -> tuple[ProductView, ProductView] | None:
    """The line talked about last when the words make a kind of it, else the one line they do,
    with that kind; None when none or several fit, or the words say the line's own dish (then
    they name a product: an order)."""
    last = last_line(turn, state, in_cart=True)
    lines = [p for sku, _ in reversed(state.cart) if (p := turn.catalog.product(sku)) is not None]
    if last is not None and last in lines:
        lines = [last, *(p for p in lines if p != last)]
    said = [w for w in kind if w not in STOPWORDS]
    fits: list[tuple[ProductView, ProductView]] = []
    for line in lines:
        if {key(w) for w in said} & {key(w) for w in words_of(line.name) if w not in STOPWORDS} - _size_keys():
            continue  # "2 jugos de frutilla": the dish named, an order of it
        other = variant_of(turn.catalog, line, said)
        if other is not None and other.available and _head(other) == _head(line):
            fits.append((line, other))
    if not fits or (fits[0][0] != last and len(fits) > 1):
        return None
    return fits[0]


def _size_keys() -> set[str]:
    return {key(w) for w in SIZES}


def _head(product: ProductView) -> str:
    """The first word of the product's name: a kind of a dish keeps it ("Jugo de naranja grande")."""
    return next((key(w) for w in words_of(product.name) if w not in STOPWORDS), "")
