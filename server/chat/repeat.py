"""Repeat orders: "lo mismo de la vez pasada", "repetir pedido", "same as last time", "run it
back" put the customer's last order in the cart (what is still on sale), to check out as usual.
The words around the repeat may change it in the same message ("lo mismo de la otra vez pero sin
la coca", "the usual but double it"): `split` gives those words to be read as an edit of that
cart. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from comandia.server.chat.intents import normalised
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import LatestOrder, fold
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done, home_reply

_WHEN_BEFORE = (
    r"(la (vez pasada|ultima vez|otra vez|semana pasada)|el (otro dia|pedido pasado|pedido anterior)|siempre|ayer)"
)
"""When the customer ordered before, as "lo mismo de …" says it (never a bare "otra vez": "lo
mismo otra vez" is the last line once more, `same_but`)."""
_REPEAT = re.compile(
    rf"\b(lo mismo (que |de )?{_WHEN_BEFORE}|lo mismo del (otro dia|pedido pasado|pedido anterior)|"
    rf"lo mismo que (te |les )?(pedi|ordene)\w*|lo del? {_WHEN_BEFORE}|lo del otro dia|igual que {_WHEN_BEFORE}|"
    r"(repet|repit)\w* (mi |el |lo )?(ultimo |mismo )?pedido|(otra vez|de nuevo) (lo mismo|mi pedido)|"
    r"same (thing |order )?as (my |the )?(last time|before|last order|previous order)|"
    r"repeat (my |the )?(last |previous )?order|(my |the )?(last|previous) order again|the usual|run it back)"
    rf"( (de |del |que )?({_WHEN_BEFORE}|otro dia|anterior|pasado))?\b"  # "repetir mi pedido de la otra vez"
)

_TWICE = re.compile(
    r"\b(el doble|todo doble|doble de todo|double (it|that|the order|everything)|doubled|times two|twice)\b"
)
"""Words after a repeat that want the whole order twice ("pero el doble", "but double it"); never
a bare «doble», which names a product's kind ("la hamburguesa doble")."""
_TIMES_TWO = re.compile(r"(x ?2|por (2|dos)|2 ?x)$")
""" "lo de siempre x2" said alone after the repeat (beside an item, "pastor x2" counts the item)."""


@dataclass(frozen=True)
class RepeatSplit:
    """A message that asks for the last order, taken apart."""

    rest: str
    """The words around the repeat that may change it ("pero sin la coca"); "" when only
    courtesy is left ("porfa", "hola, me da …")."""
    times: int
    """How many times the order is wanted: 2 for "el doble", "double it"."""


def wants_repeat(text: str) -> bool:
    """Whether `text` asks for the last order again."""
    return bool(_REPEAT.search(fold(text)))


def split(text: str) -> RepeatSplit:
    """The words of `text` around its repeat, read as what changes the repeated order: the words
    before it too, as "2 de pastor más y lo de siempre" adds; "el doble" taken out as `times`."""
    folded = fold(text)
    shown = text.strip()
    source = shown if len(shown) == len(folded) else folded  # the customer's accents where they line up
    kept, start = [], 0
    for found in _REPEAT.finditer(folded):  # "run it back, same as my last order" says it twice
        kept.append(source[start : found.start()])
        start = found.end()
    rest = " ".join([*kept, source[start:]]).strip(" ,.;:!¡")
    twice = _TWICE.search(fold(rest)) or _TIMES_TWO.match(fold(rest))
    times = 2 if twice is not None else 1
    if twice is not None:
        rest = f"{rest[: twice.start()]} {rest[twice.end() :]}"
    if all(word in lexicon().fillers for word in normalised(rest).split()):
        rest = ""
    return RepeatSplit(rest.strip(" ,.;:!¡"), times)


_CHANGING = frozenset({
    "pero", "but", "sin", "without", "quita", "quitale", "quitame", "saca", "sacale", "remove", "minus",
    "menos", "less", "cambia", "cambiale", "cambialo", "change", "swap", "switch", "instead", "vez", "lugar",
    "mejor", "sea", "sean", "make", "agrega", "agregale", "agregame", "agreguele", "agregue", "anade",
    "anadele", "sumale", "suma", "ponle", "ponele", "add", "plus", "mas", "more", "extra", "otro", "otra",
    "otros", "otras", "another", "also", "tambien", "aparte"
})  # fmt: skip
"""Words that make the items said beside a repeat a change of it ("lo de siempre pero sin la coca",
"the usual plus a donut", "lo mismo de la otra vez y 2 de pastor más"); without one of them the
items listed are the order itself ("lo de siempre: 3 de pastor y una horchata")."""
_JOINING = frozenset({"y", "e", "and", "con", "with"})
"""Words that, opening the words after the repeat, join more to it ("… y una coca", "… with fries")."""


def changes(rest: str) -> bool:
    """Whether the words said beside a repeat change the last order rather than list it."""
    words = normalised(rest).split()
    return bool(_CHANGING & set(words)) or (bool(words) and words[0] in _JOINING)


@dataclass(frozen=True)
class Repeated:
    """The last order put back in the cart, and what the bot says about it."""

    state: ChatState
    said: str
    """ "I put your last order (#41) in your cart", and what of it is no longer sold."""
    gone: tuple[str, ...]
    """The names of its products no longer on sale (named back)."""


def repeated(turn: Turn, state: ChatState, latest: LatestOrder, times: int = 1) -> Repeated:
    """The last order's lines still on sale as the cart (`times` over); the rest named."""
    cart: dict[str, int] = {}
    gone: list[str] = []
    for sku, quantity in latest.lines:
        product = turn.catalog.product(sku)
        if product is None or not product.available:
            gone.append(product.name if product is not None else sku)
        else:
            cart[product.sku] = cart.get(product.sku, 0) + quantity * times
    said = turn.texts("repeat_order", number=latest.number)
    if gone:
        said += " " + turn.texts("repeat_gone", names=", ".join(gone))
    return Repeated(replace(state.with_cart(cart), stage="cart"), said, tuple(gone))


def repeat_last(turn: Turn, state: ChatState, latest: LatestOrder | None, times: int = 1) -> Outcome:
    """The last order as the cart, with its buttons; "you have no orders yet" without one."""
    if latest is None or not latest.lines:
        return done(state, home_reply(turn, state, turn.texts("no_orders")))
    again = repeated(turn, state, latest, times)
    outcome = done(again.state, cart_buttons_reply(turn, again.state, again.said))
    return replace(outcome, named_back=again.gone)
