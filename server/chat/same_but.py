"""The line before once more, changed in one thing: "lo mismo pero de suadero", "igual pero
grande", "same but with chicken", "otro igual pero de fresa".

The customer repeats the quantity of the line added last and names what differs: another flavour
or size of that line's product ("pero grande": the grande of it; "pero de pepperoni" after a
large hawaiana: the large pepperoni), else a product of its own, read as one. A count said in
the message wins ("lo mismo pero 2 de suadero"). When the rest names nothing surely, this is no
such message and is read as an order.
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import UNIT_AFTER, among_cart, count_of, counted, in_cart, last_line
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.menus import add_lines
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import apply_reading
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import variant_of

_SAME_BUT = re.compile(
    r"\b(?:lo mismo|la misma|el mismo|los mismos|las mismas|igual|otro igual|otra igual|otros iguales|otras iguales"
    r"|the same|same|same thing)\s+(?:pero|but)\s+(?P<rest>.+)$"
)


_GLUE = frozenset({"de", "del", "con", "with", "of", "the", "la", "el", "los", "las", "un", "una", "uno"})


def same_but(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "lo mismo pero de suadero": as many of the other product as the line added last."""
    found = _SAME_BUT.search(intents.normalised(text))
    before = last_line(turn, state, in_cart=True)
    if found is None or before is None:
        return None
    rest = found.group("rest")
    quantity = state.cart_dict().get(before.sku, 1)
    reading = read_order(rest, turn.catalog)
    # the line's own product in the other flavour or size first: "igual pero de pepperoni" after
    # a large hawaiana is the large pepperoni
    product = variant_of(turn.catalog, before, [w for w in words_of(rest) if w not in _GLUE and not w.isdigit()])
    if product is None and len(reading.items) == 1 and not (reading.doubts or reading.unknown):
        product = reading.items[0].product
    if product is None:
        return None
    if counted(rest.split()) and reading.items:
        quantity = reading.items[0].quantity
    return apply_reading(turn, replace(state, stage="cart"), Reading(items=(Item(product, quantity, "", rest),)))


_ANOTHER = frozenset({"otro", "otra", "otros", "otras", "another", "more", "mas"})
_WHOLE = frozenset({"orden", "ordenes", "pedido", "pedidos", "order", "orders"})
"""'y otra orden igual para mi hermano': the whole cart once more, not one line."""
_BUT = frozenset({"pero", "but"})
_PIECES = frozenset({"pc", "pcs", "piece", "pieces", "pz", "pza", "pzas", "piezas"})
"""'another 6 piece, same': the pack's name ("Classic wings 6 pc"), not six more of it."""


def _counts(words: list[str]) -> list[int]:
    """The counts said ("otros 2 iguales"), not an article's one nor the size of what is named:
    "3 litros", "another 6 piece" (the pack "Classic wings 6 pc", not six more of it)."""
    return [c for at, w in enumerate(words) if (c := count_of(w)) is not None and w not in ("un", "una", "uno", "one")
            and not (set(words[at + 1 : at + 2]) & _PIECES) and words[at + 1 : at + 2] not in UNIT_AFTER]  # fmt: skip


def same_again(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "y otro jugo igual", "otro completo igual porfa", "another cheeseburger just like that one":
    one more of the cart line the words name, even vaguely ("jugo" is the one jugo in the cart,
    never a question about which); with no name, of the line added last; "y otra orden igual" is
    everything in the cart once more. None without an adding word ("otro", "another") or when the
    words name no line of the cart (then it is an order)."""
    said = intents.normalised(text).split()
    if intents.mentions(text, "same_again") is None or not _ANOTHER & set(said) or _BUT & set(said):
        return None
    left = [w for w in intents.without(text, "same_again").split() if w not in _ANOTHER]
    counts = _counts(left)
    named = [w for w in left if count_of(w) is None and w not in lexicon().fillers and w not in _WHOLE]
    times = counts[0] if len(counts) == 1 else 1
    lines: list[tuple[ProductView, int]]
    if named:
        line = in_cart(turn, state, " ".join(named)) or among_cart(turn, state, " ".join(named))
        lines = [(line, times)] if line is not None else []
    elif _WHOLE & set(left):
        cart = [(p, q * times) for sku, q in state.cart if (p := turn.catalog.product(sku)) is not None]
        lines = cart
    else:
        last = last_line(turn, state, in_cart=True)
        lines = [(last, times)] if last is not None else []
    if not lines or len(counts) > 1:
        return None
    state, added = add_lines(turn, state, lines)
    state = replace(state, stage="cart", last_sku=lines[-1][0].sku)
    return done(state, cart_buttons_reply(turn, state, added))
