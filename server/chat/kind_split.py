"""A cart line split into kinds of itself in a later message: "no, mejor media docena de manteca y
media de grasa" after a dozen medialunas de manteca, "mitad de manteca y mitad de grasa mejor",
"no mejor una de búfalo y una bbq" after 2 orders of alitas búfalo.

The restating rule (docs/whatsapp.md, RULE c/d): the parts are the line's own units said again
by kind, never more of them: when every part names a kind of one cart line (the line itself, or
another product of its dish: "Medialuna de grasa" of the "Medialuna de manteca") and the parts add
up to what the line holds ("media"/"mitad"/"half" is half of it), the line leaves and each kind
takes its part. Otherwise None: the message is read as anything else (`editing` tries the next).
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import count_of, in_cart
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.model import ProductView, fold
from comandia.server.chat.ordering import ADDING, apply_reading
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.restating import made_of
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import SIZES, SMALLER, STOPWORDS

_HALF = frozenset({"mitad", "media", "half"})
"""A part that is half of the line ("media docena … y media de grasa", "mitad y mitad", "half and half")."""
_PART_WORDS = frozenset({"docena", "docenas", "dozen", "otra", "other", "de", "del", "of", "la", "el", "las", "los",
                         "the", "que", "sea", "sean", "orden", "ordenes", "order", "orders"})  # fmt: skip
"""Words of a part that say neither its count nor its kind."""
_OPENING = frozenset({"no", "mejor", "perdon", "perdona", "actually", "better", "siempre", "mas", "bien", "que",
                      "sean", "sea", "make", "it", "them", "hazlas", "hazlos", "hacelas", "hacelos"})  # fmt: skip
_MINDING = frozenset({"no", "mejor", "perdon", "perdona", "actually", "better", "mas", "rather", "sorry", "sean",
                      "sea", "make", "cambia", "cambialas", "cambialos", "hazlas", "hazlos", "hacelas",
                      "hacelos"})  # fmt: skip
"""A change of mind said: without one, parts that add up to a line are an order of more."""
_MORE_TOO = frozenset({"too", "tmb", "tb", "aparte", "extra", "mas"})
"""Words that say the brands come on top of the line ("a coke and a sprite too")."""
_JOINS = re.compile(r"\s*(?:,|\by\b|\be\b|\band\b)\s*")


def split_into_kinds(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """The one cart line the parts are kinds of, split into them; None when the message is no such split."""
    said = intents.normalised(text)
    parts = [p.split() for p in _JOINS.split(said) if p.strip()]
    if len(parts) < 2:
        return None
    minded = bool((_MINDING | {"mitad", "half"}) & set(said.split()))
    lex = lexicon()
    ignored = (lex.fillers | _OPENING) - SIZES  # ("regular", "normal" pass as fillers elsewhere)
    while parts[0] and parts[0][0] in ignored and count_of(parts[0][0]) is None:
        parts[0] = parts[0][1:]  # "no, mejor media docena …": said to the person, no part of it
    while parts[-1] and parts[-1][-1] in ignored | {"porfa", "please", "pls", "mejor"}:
        parts[-1] = parts[-1][:-1]  # "… mitad de grasa mejor"
    named, parts[0] = _line_named_first(turn, state, parts[0])
    counts = [_part_count(part) for part in parts]
    kinds = [[w for w in part if w not in _HALF | _PART_WORDS and count_of(w) is None
              and (w not in lex.fillers or w in SIZES)]
             for part in parts]  # fmt: skip
    # (a size is a kind even where the lexicon lets it pass as a filler: "3 regular and 1 large")
    if any(c is None for c in counts) or any(not k for k in kinds):
        return None
    if not minded and not all(set(k) <= SIZES for k in kinds):
        return None  # "1 de suadero y 1 de bistec" after 2 de pastor, said with no change of mind: an order
    # (parts that are bare sizes name no product of their own: "2 regular and 1 large" after 3 thai
    # teas says how the 3 come, never 3 more)
    cart = state.cart_dict()
    for sku, held in reversed(state.cart):
        line = turn.catalog.product(sku)
        if line is None or (named is not None and line != named):
            continue
        shares = [held // 2 if c == 0 else c for c in counts]  # (0 stands for a half)
        if any(c == 0 for c in counts) and held % 2:
            continue
        if sum(s for s in shares if s is not None) != held:
            continue
        products = [_kind_of(turn, line, kind) for kind in kinds]
        if any(p is None for p in products) or len({p.sku for p in products if p is not None}) != len(products):
            continue
        if any(p is not None and p != line and p.sku in cart for p in products):
            return None  # "que sean 2 de pastor y 1 de suadero" with both in the cart: each line set (`restating`)
        return _split(
            turn, state, line, [(p, s) for p, s in zip(products, shares, strict=True) if p is not None and s], cart
        )
    return None


def _line_named_first(turn: Turn, state: ChatState, part: list[str]) -> tuple[ProductView | None, list[str]]:
    """The cart line named before the first part's count ("los americanos uno grande y uno
    normal": the Café americano) and the part without it; (None, part) when no line is named so."""
    at = next((i for i, w in enumerate(part) if count_of(w) is not None), 0)
    if at == 0:
        return None, part
    line = in_cart(turn, state, " ".join(part[:at]))
    return (line, part[at:]) if line is not None else (None, part)


def _part_count(part: list[str]) -> int | None:
    """The part's count (0 for a half), or None when it says none or more than one."""
    if _HALF & set(part):
        return 0 if not [w for w in part if count_of(w) is not None and w not in ("otra", "otro")] else None
    counts = [c for w in part if (c := count_of(w))]
    return counts[0] if len(counts) == 1 else None


def _kind_of(turn: Turn, line: ProductView, kind: list[str]) -> ProductView | None:
    """The line itself when the words are its own ("de manteca" of the Medialuna de manteca), else
    the other product of its dish they make ("de grasa": the Medialuna de grasa), else None."""
    if {key(w) for w in kind} <= _own(line):
        return line
    if set(kind) <= SMALLER and not set(words_of(line.name)) & SIZES:
        return line  # "uno normal" of the Café americano, which has no size word: the line itself
    other = made_of(turn, line, kind)
    if other is None or _head(other) != _head(line) or not {key(w) for w in kind} <= _own(other):
        return None  # another dish ("una de búfalo y una coca"), or words beyond its name ("2 de tripa bien doradas")
    return other


def _own(product: ProductView) -> set[str]:
    return {key(w) for name in (product.name, *product.aliases) for w in words_of(name)}


def _head(product: ProductView) -> str:
    return next((key(w) for w in words_of(product.name) if w not in STOPWORDS), "")


def _split(
    turn: Turn, state: ChatState, line: ProductView, shares: list[tuple[ProductView, int]], cart: dict[str, int]
) -> Outcome:
    """The line keeps its own kind's share (or leaves) and each other kind is added with its share."""
    kept = [share for product, share in shares if product == line]
    if kept:
        cart[line.sku] = kept[0]
        said = turn.texts("quantity_set", quantity=kept[0], name=line.name)
    else:
        cart.pop(line.sku)
        said = turn.texts("removed", name=line.name)
    state = replace(state.with_cart(cart), stage="cart", last_sku=line.sku)
    new = tuple(Item(p, share, "", p.name) for p, share in shares if p != line)
    return apply_reading(turn, state, Reading(items=new), said)


def brands_of_line(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "one coke one sprite" after "2 sodas": every part counts the line added last by another of
    its names (a brand its aliases hold), and the counts add up to what it holds: the units said
    again with their brands, a note of the line ("1 coke, 1 sprite"), never as many more (RULE c).
    A count that adds up to more or less is an order (`reading`)."""
    said_words = set(intents.normalised(text).split())
    if not state.last_sku or said_words & (ADDING | _MORE_TOO):
        return None  # "a coke and a sprite too": more of them
    reading = read_order(text, turn.catalog)
    held = state.cart_dict().get(state.last_sku, 0)
    items = reading.items
    if (len(items) < 2 or reading.doubts or reading.unknown or reading.loose
            or any(i.product.sku != state.last_sku or not i.counted or i.note for i in items)
            or sum(i.quantity for i in items) != held):  # fmt: skip
        return None
    said = [fold(i.words) for i in items]
    if len(set(said)) != len(said) or any(key(w) == key(words_of(items[0].product.name)[0]) for w in said):
        return None  # "1 soda and 1 soda", "one soda": the line's own name orders more
    note = ", ".join(f"{i.quantity} {i.words}" for i in items)
    old = dict(state.notes).get(state.last_sku)
    joined = f"{old}, {note}" if old else note
    state = replace(state, notes=(*(n for n in state.notes if n[0] != state.last_sku), (state.last_sku, joined)),
                    stage="cart")  # fmt: skip
    name = items[0].product.name
    return done(state, cart_buttons_reply(turn, state, turn.texts("note_set", name=name, note=joined)))
