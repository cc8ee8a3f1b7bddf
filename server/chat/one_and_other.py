"""The two units of a cart line told apart: one stays, the other becomes another size or kind
("nomás una de pepperoni y la otra cámbiala a hawaiana grande" after 2 pizzas de pepperoni grandes,
"una de litro y la otra de vaso normal" after 2 aguas de jamaica litro, "keep one regular and make
the other one large" after 2 taro milk teas).

The restating rule (docs/whatsapp.md): the count is of the line's own units, never more of them.
Read as an order, the kept one was set anew (a size word of the line's name made it another size)
and the other was lost or asked about, silently leaving one pizza where there were two.
"""

from __future__ import annotations

import re

from comandia.server.chat import intents
from comandia.server.chat.cart_words import count_of, in_cart, last_line, names_something, set_lines
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import apply_reading
from comandia.server.chat.reading import Item, Reading
from comandia.server.chat.restating import made_of
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn
from comandia.server.chat.variants import SIZES, STOPWORDS, variant_of

_ONE_AND_OTHER = re.compile(
    r"^(?P<head>.*?)\b(?:una|uno|one|1)\b(?P<first>.*?)\s+(?:y|e|and)\s+(?:(?:make|turn|change|switch)\s+)?"
    r"(?:la|el|the)\s+(?:otra|otro|other)(?:\s+one)?\b(?P<second>.*)$"
)
_VERB = re.compile(
    r"^(?:camb\w*|haz\w*|hace\w*|hac[eé]\w*|pas\w*|pon\w*|make|turn|change|switch|swap|que|sea|it|a|por|x|to|into|for)$"
)
"""Words between "la otra" and what it becomes ("cámbiamela a", "que sea", "make it")."""
_OPENING = frozenset({"deja", "dejame", "dejala", "dejalo", "deje", "dejen", "keep", "leave", "solo", "nomas", "nada",
                      "mas", "just", "only", "siempre", "no", "mejor", "espera", "perdon", "oye", "ay", "uy", "ah",
                      "bueno", "pues", "actually", "wait", "sorry", "ok", "okay", "nah", "better"})  # fmt: skip
"""Words before "una" that keep it or change the mind, naming nothing ("siempre no, nomás una …")."""


def one_and_other(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """One unit of a line of two kept (as said), the other made the kind said after "la otra";
    None when the message is not so, or no line of two units, or no product the words make."""
    found = _ONE_AND_OTHER.match(intents.normalised(text))
    if found is None or [w for w in found.group("head").split() if count_of(w) is not None]:
        return None
    head = [w for w in found.group("head").split() if w not in _OPENING]
    if head and names_something(turn, " ".join(head)):
        return None  # "2 tacos, uno de pastor y el otro de suadero": an order, not a line told apart
    line = _line_of_two(turn, state, found.group("first"))
    if line is None:
        return None
    first = _kind_of(turn, line, _kind(found.group("first"))) or line
    second_said = _kind([w for w in found.group("second").split() if not _VERB.match(w)])
    second = _kind_of(turn, line, second_said)
    if second is None or second == line:
        return None
    left = set_lines(turn, state, [(line, 1 if first == line else 0)], last=line.sku)
    items = tuple(Item(p, 1, "", p.name) for p in (first, second) if p != line)
    return apply_reading(turn, left.state, Reading(items=items), _said(turn, line, first))


def _said(turn: Turn, line: ProductView, first: ProductView) -> str:
    if first == line:
        return turn.texts("quantity_set", quantity=1, name=line.name)
    return turn.texts("removed", name=line.name)


def _kind(words: list[str] | str) -> list[str]:
    said = words.split() if isinstance(words, str) else words
    fillers = lexicon().fillers
    return [w for w in said if (w not in fillers or w in SIZES) and w not in STOPWORDS]


def _line_of_two(turn: Turn, state: ChatState, first: str) -> ProductView | None:
    """The line of two units the first part names, else the one added last, else the one line of two."""
    cart = state.cart_dict()
    named = in_cart(turn, state, first) if _kind(first) else None
    if named is not None:
        return named if cart.get(named.sku) == 2 else None
    last = last_line(turn, state, in_cart=True)
    if last is not None and cart.get(last.sku) == 2:
        return last
    twos = [p for sku, n in state.cart if n == 2 and (p := turn.catalog.product(sku)) is not None]
    return twos[0] if len(twos) == 1 else None


def _kind_of(turn: Turn, line: ProductView, kind: list[str]) -> ProductView | None:
    """The product `kind` makes of the line: the line itself when every word is of its name ("una
    de pepperoni" of the Pizza de pepperoni grande), else another size or kind of it, else the size
    words alone ("de vaso normal": the plain one)."""
    if not kind:
        return None
    own = {key(w) for w in words_of(line.name)}
    if {key(w) for w in kind} <= own:
        return line
    sizes = [w for w in kind if w in SIZES]
    return made_of(turn, line, kind) or (variant_of(turn.catalog, line, sizes) if sizes else None)
