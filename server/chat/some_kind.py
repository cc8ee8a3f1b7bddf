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

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import count_of, counted, in_cart, last_line, set_lines
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import ADDING_TOO, apply_reading, next_step
from comandia.server.chat.reading import Item, Reading
from comandia.server.chat.restating import made_of, note_said
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn
from comandia.server.chat.variants import SIZES, STOPWORDS, variant_of

_SAID_ASIDE = frozenset({"mejor", "better", "actually", "rather", "instead", "porfa", "porfis", "please", "pls",
                         "plis", "xfa", "gracias", "thanks", "pues", "bueno", "ok", "okay", "oye", "oiga",
                         "ah", "ay", "uy", "hmm", "che"})  # fmt: skip
"""Words around the count and the kind that say neither ("uno mejor chico porfa")."""
_MARKED = frozenset({"de", "con", "sin"})


def some_made_kind(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """That many units of the cart line the words make a kind of moved to it; None when the
    message is no such change (not opened by a count, words that add, name a dish, or fit no
    line, or a count larger than the line's)."""
    words = intents.normalised(text).split()
    while words and words[0] in lexicon().interjections:  # "oye, uno grande mejor"
        words = words[1:]
    some = count_of(words[0]) if words else None
    rest = [w for w in words[1:] if w not in _SAID_ASIDE]
    if not some or not rest or ADDING_TOO & set(rest) or counted(rest):
        return None
    fillers = lexicon().fillers
    kind = [w for w in rest if w not in fillers or w in SIZES or w in _MARKED]
    if not [w for w in kind if w not in _MARKED]:
        return None  # "uno porfa": no kind said
    if not lexicon().change_of_mind & set(words) and not (all(w in SIZES for w in kind) or kind[0] in ("con", "sin")):
        return None  # "2 de suadero" after 3 de pastor, with no change of mind: a dish of its own, ordered
    found = _line_and_kind(turn, state, kind)
    if found is None:
        return None
    line, other = found
    held = state.cart_dict()[line.sku]
    if some > held:
        return None  # more than the line holds: an order of that kind
    resized = all(w in SIZES for w in kind)
    note = dict(state.notes).get(line.sku, "") if resized else note_said(turn, other, kind)
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


_PARTITIVE = frozenset({"de", "of"})
"""'una de las quesadillas', 'one of the coffees': the count is of units already in the cart."""
_POINTING = frozenset({"los", "las", "the", "esos", "esas", "those", "them"})
_VERB = re.compile(r"^(?:camb\w*?(?:lo|la|le)|(?:haz|hace|hag[ae]|pas[ae]|pon|pone)(?:me|nos|se)?(?:lo|la))$")
"""A verb said of the one unit: 'cámbiala por horchata', 'hazla grande', 'cámbiela por doble carne'."""
_VERB_LINKS = frozenset({"por", "x", "a", "en", "que", "sea", "make", "it", "change", "swap", "for", "to", "into"})
"""Words between the verb and the new kind ('cámbiala por', 'que sea de niño', 'make it')."""


def some_moved(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "una hazla grande" after 2 hawaianas medianas, "una coca mejor cámbiala por horchata",
    "y una de las quesadillas mejor de queso", "one of the coffees small actually": a count of a
    cart line's units (the line named, or the one talked about last), a change said (a verb with
    "la"/"lo", "mejor", "que sea", "actually") and what those units become: another size or kind of
    the line, or a product of its own. That many units move; the line keeps the rest (RULE c/d).
    None when the count is not fewer than the line holds (the whole line changes: `made_into`,
    `variant`), no one line or no one product is sure (read as anything else, which asks)."""
    said = intents.normalised(text.split(",")[0] if _is_reason(text) else text)
    words = [w for w in said.split() if w not in ("porfa", "porfis", "please", "pls", "plis", "xfa")]
    while words and words[0] in lexicon().interjections | {"no"}:
        words = words[1:]
    adding = bool(words) and words[0] in ("y", "e", "and")
    words = words[1:] if adding else words
    some = count_of(words[0]) if words and words[0] not in ADDING_TOO else None
    if not some:
        return None
    rest = words[1:]
    partitive = len(rest) > 1 and rest[0] in _PARTITIVE and rest[1] in _POINTING
    if partitive:
        rest = rest[2:]
    elif adding or ADDING_TOO & set(rest):
        return None  # "y uno mejor de pastor", "uno más grande": more of it, an order
    minding = lexicon().change_of_mind
    at = next((i for i, w in enumerate(rest) if w in minding or _VERB.match(w) or w in ("que", "make", "change",
                                                                                 "swap")), None)  # fmt: skip
    if at is None:
        if not partitive:
            return None
        at = next((i for i in range(len(rest), 0, -1) if in_cart(turn, state, " ".join(rest[:i])) is not None), None)
        if at is None:
            return None
    named, change = rest[:at], rest[at:]
    if partitive:  # "one of the coffees small actually": the line is the first words that name one
        cut = next((i for i in range(1, len(named) + 1) if in_cart(turn, state, " ".join(named[:i])) is not None), None)
        if cut is not None:
            named, change = named[:cut], [*named[cut:], *change]
    if not (lexicon().change_of_mind & set(change) or partitive or _said_change(change)):
        return None  # "uno de pastor": an order
    new = [w for w in change if w not in lexicon().change_of_mind and w not in _SAID_ASIDE and not _VERB.match(w)]
    while new and new[0] in _VERB_LINKS:
        new = new[1:]
    if new and new[0] in ("un", "una", "a", "an"):
        new = new[1:]  # "cámbiala por una malteada": the one unit moved, no more of it
    if not new or counted(new):
        return None
    lines = _named_lines(turn, state, named)
    if len(lines) > 1 and any(made_of(turn, p, new) is not None for p in lines):
        return _which_line(turn, state, named, lines)  # "una de las hamburguesas" with clásicas and de pollo
    line = (
        (lines[0] if lines else in_cart(turn, state, " ".join(named)))
        if named
        else _kind_line(turn, state, new, _said_change(change))
    )
    if line is None or (named and not partitive and not _names_line(line, named)):
        return None
    held = state.cart_dict().get(line.sku, 0)
    if some >= held:
        return None  # the whole line: made another elsewhere (`made_into`, `variant`)
    other = made_of(turn, line, new)
    if other is None or other == line or not other.available:
        return None
    resized = set(new) <= SIZES | STOPWORDS
    note = dict(state.notes).get(line.sku, "") if resized else note_said(turn, other, new)  # the same dish in
    # another size keeps its note; another dish takes the note said with it ("…, sin cebolla")
    said_back = turn.texts("quantity_set", quantity=held - some, name=line.name)
    left = set_lines(turn, state, [(line, held - some)], last=line.sku)
    return apply_reading(turn, left.state, Reading(items=(Item(other, some, note, " ".join(new)),)), said_back)


def _said_change(change: list[str]) -> bool:
    """Words that make the count a change of those units: a verb with its pronoun ("hazla",
    "cámbiala"), "que sea", "make it", "change it"."""
    return any(_VERB.match(w) for w in change) or change[:2] in (["que", "sea"], ["make", "it"], ["change", "it"])


def _named_lines(turn: Turn, state: ChatState, named: list[str]) -> list[ProductView]:
    """The cart lines whose names hold every word said of the line ("las hamburguesas": each
    hamburguesa of the cart); none when no word is said or no line holds them all."""
    said = {key(w) for w in named if w not in STOPWORDS and w not in lexicon().fillers}
    if not said:
        return []
    lines = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None]
    return [p for p in lines if said <= {key(w) for name in (p.name, *p.aliases) for w in words_of(name)}]


def _which_line(turn: Turn, state: ChatState, named: list[str], lines: list[ProductView]) -> Outcome:
    """Several cart lines fit the words: nothing moves, the words are named back with the lines to
    say which (never one of them chosen silently)."""
    words = " ".join(named)
    said = "\n".join([turn.texts("ambiguous", text=words), *(f"• {p.name}" for p in lines)])
    return replace(next_step(turn, state, said), named_back=(words,))


def _kind_line(turn: Turn, state: ChatState, new: list[str], pointed: bool) -> ProductView | None:
    """With no line named: the line talked about last when the words make something of it (a
    product of its own only when a pronoun points at the units: "una cámbiela por doble carne";
    "una mejor horchata" may be the whole order said again), else the one line the words make
    another size or kind of ("uno házmelo grande" after 2 americanos and a concha); None when none
    or several do."""
    said = [w for w in new if w not in STOPWORDS]
    last = last_line(turn, state, in_cart=True)
    if last is not None and (
        variant_of(turn.catalog, last, said) or (pointed and not set(said) <= SIZES and made_of(turn, last, new))
    ):
        return last  # (a size alone makes no product of its own: "grande" is never the one grande on the menu)
    kinds = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None
             and variant_of(turn.catalog, p, said) is not None]  # fmt: skip
    return kinds[0] if len(kinds) == 1 else None


def _names_line(line: ProductView, named: list[str]) -> bool:
    """Whether the words before the change say something of the line's name ("una coca" of the Coca-Cola)."""
    return bool({key(w) for w in named if w not in STOPWORDS} & {key(w) for w in words_of(line.name)})


_REASONS = frozenset({"es", "son", "pa", "para", "porque", "xq", "pq", "for", "its", "it's", "because"})


def _is_reason(text: str) -> bool:
    """ "uno mejor chico, es pa mi hijo": the words after the comma say why, not what."""
    if "," not in text:
        return False
    tail = intents.normalised(text.split(",", 1)[1]).split()
    return bool(tail) and tail[0] in _REASONS and not counted(tail)
