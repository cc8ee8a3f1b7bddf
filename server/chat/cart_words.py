"""The words of a cart edit read against the cart: which line they name, what they count, and the
lines set to new quantities (shared by `editing`, `quantity_edits` and `line_changes`)."""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.lexicon import MAX_NUMBER, lexicon, number
from comandia.server.chat.matching import SURE, index_for, key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.model import ProductView
from comandia.server.chat.reading import is_add_on as add_on
from comandia.server.chat.reading import read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import STOPWORDS

SET_OPENERS = frozenset({"mejor", "son", "eran", "no", "perdon", "actually"})
"""Words that open a new quantity ("mejor 6", "son 3, no 1", "no, eran 3")."""


def set_lines(turn: Turn, state: ChatState, changes: list[tuple[ProductView, int]], last: str | None = None) -> Outcome:
    """Each product's line set to its quantity (0 removes it), said line by line, with the cart."""
    cart = state.cart_dict()
    said = []
    for product, quantity in changes:
        pack = pack_of(turn, product, quantity)
        if pack is not None:  # "make it 20" after 10 wings: the 20 pack, one of it
            cart = {(pack.sku if sku == product.sku else sku): (1 if sku == product.sku else q)
                    for sku, q in cart.items() if sku != pack.sku}  # fmt: skip
            # another amount of the same line keeps its note ("hot" on the 6 pc goes to the 10 pc)
            state = replace(state, notes=tuple((pack.sku if sku == product.sku else sku, note)
                                               for sku, note in state.notes if sku != pack.sku))  # fmt: skip
            said.append(turn.texts("removed", name=product.name))
            said.append(turn.texts("quantity_set", quantity=1, name=pack.name))
            last = pack.sku if last in (None, product.sku) else last
            continue
        if quantity == 0:
            cart.pop(product.sku, None)
            said.append(turn.texts("removed", name=product.name))
        else:
            cart[product.sku] = min(quantity, MAX_NUMBER)
            said.append(turn.texts("quantity_set", quantity=cart[product.sku], name=product.name))
    state = replace(state.with_cart(cart), stage="cart", last_sku=last or state.last_sku)
    if len(changes) == 1 and changes[0][1] and changes[0][0].sku == state.last_sku:
        state = replace(state, unsized=state.last_sku)  # "mejor 12" … "bueno 10": its count, said again
    return done(state, cart_buttons_reply(turn, state, "\n".join(said)))


def pack_of(turn: Turn, product: ProductView, quantity: int) -> ProductView | None:
    """The product sold in a pack of `quantity` whose name is the product's with that number for its
    own ("Classic wings 20 pc" for "make it 20" said of the "Classic wings 10 pc"), when on sale;
    else None. The customer counts the pieces of a pack product, never the packs (20 packs of ten
    wings were set, silently)."""
    said = product.name.split()
    at = [i for i, w in enumerate(said) if w.isdigit()]
    if len(at) != 1 or said[at[0]] == str(quantity):
        return None
    wanted = [*said[: at[0]], str(quantity), *said[at[0] + 1 :]]
    return next((p for p in turn.catalog.available() if p.name.split() == wanted), None)


def in_cart(turn: Turn, state: ChatState, words: str) -> ProductView | None:
    """The cart's product those words name (the best-scored one that is in the cart)."""
    if not words.strip():
        return None
    reading = read_order(words, turn.catalog)
    cart = state.cart_dict()
    for item in reading.items:
        if item.product.sku in cart:
            return item.product
    # "el licuado" (a doubt), "las mexicanas" (Pizza mexicana, while the cart holds the grande):
    # the one line of the cart those words fit as well
    if reading.doubts or reading.items:
        return among_cart(turn, state, words)
    return None if reading.unknown else _line_by_own_word(turn, state, words)


def _line_by_own_word(turn: Turn, state: ChatState, words: str) -> ProductView | None:
    """ "la docena" with the Docena de tamales surtidos in the cart: words read as no product (a
    count word, said with an article) that are all words of one cart line's name point at it."""
    typed = {key(w) for w in intents.normalised(words).split() if w not in _POINTERS}
    if not typed:
        return None
    lines = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None
             and typed <= {key(w) for w in words_of(p.name)}]  # fmt: skip
    return lines[0] if len(lines) == 1 else None


_POINTERS = frozenset({"el", "la", "los", "las", "lo", "the", "that", "those", "mi", "my", "de", "del", "of"})


def among_cart(turn: Turn, state: ChatState, words: str) -> ProductView | None:
    """ "el licuado" with several licuados on the menu and one in the cart: that one."""
    cart = state.cart_dict()
    typed = [w for w in intents.normalised(words).split() if w not in lexicon().fillers]
    inside = [m for m in index_for(turn.catalog).match(typed, lexicon().synonyms) if m.product.sku in cart]
    if not inside or inside[0].typed < SURE or (len(inside) > 1 and inside[1].typed >= inside[0].typed):
        return None
    return inside[0].product


def category_lines(turn: Turn, state: ChatState, words: str) -> list[ProductView]:
    """The cart's products whose category the words name ("el pan" -> Pan dulce), or none."""
    typed = {key(w) for w in words.split() if w not in lexicon().fillers and len(w) >= 3}
    if not typed:
        return []
    named = {c.id for c in turn.catalog.categories
             if typed & {key(w) for w in words_of(c.name) if w not in STOPWORDS and len(w) >= 3}}  # fmt: skip
    products = [turn.catalog.product(sku) for sku, _ in state.cart]
    return [p for p in products if p is not None and p.category_id in named]


def is_add_on(turn: Turn, product: ProductView) -> bool:
    """Whether the product is an extra sold apart to go on another (`reading.is_add_on`)."""
    return add_on(turn.catalog, product)


def names_something(turn: Turn, words: str) -> bool:
    """Whether the words name a product (surely or in doubt), or words not on the menu."""
    return bool(words.strip()) and not read_order(words, turn.catalog).empty


def names_nothing(turn: Turn, words: str) -> bool:
    reading = read_order(words, turn.catalog)
    return not (reading.items or reading.doubts or reading.unknown)


def last_line(turn: Turn, state: ChatState, in_cart: bool = False) -> ProductView | None:
    """The product added (or asked about) last, else the cart's last line."""
    last = state.last_sku if not in_cart or state.last_sku in state.cart_dict() else None
    sku = last or (state.cart[-1][0] if state.cart else None)
    return turn.catalog.product(sku) if sku else None


def count_of(word: str) -> int | None:
    if word in ("un", "una", "uno", "one", "otra", "otro"):
        return 1
    if word in ("ninguno", "ninguna", "none", "cero", "zero"):
        return 0
    return number(word)


def counted(words: list[str]) -> list[str]:
    """The words that count something: "3 litros" is a size, not three of something."""
    return [w for i, w in enumerate(words) if count_of(w) is not None and words[i + 1 : i + 2] not in UNIT_AFTER]


_WEIGHTS = frozenset({"kilo", "kilos", "kg", "kgs", "g", "gr", "grs", "gramos"})
_VOLUMES = frozenset({"litro", "litros", "l", "lt", "lts"})
_FRACTIONS = frozenset({"medio", "media", "cuarto", "half", "quarter"})


def weighed(words: list[str]) -> bool:
    """Whether the words say an amount by weight ("medio kilo de carnitas", "2 kilos de pata
    muslo", "un kilo de barbacoa") or counted litres ("un litro de agua", "3 litros de coca"): the
    customer counted in kilos or litres, so what they name is as many of it as make that amount,
    never as many as the line it replaces held ("un litro de agua en vez de los vasos" after 2
    glasses: one litre, not two). A weight after "de" is a size ("una bolsa de 1 kg", "una coca
    de 2 litros") and says no amount, and so is a litre not counted ("hazlas de litro", "medio
    litro" of the Agua de horchata medio litro)."""
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        if word in _WEIGHTS:
            said = not before or before in _FRACTIONS or count_of(before) is not None
        elif word in _VOLUMES:
            said = before not in _FRACTIONS and count_of(before) is not None
        else:
            continue
        if said and words[i - 2 : i - 1] != ["de"]:
            return True
    return False


UNIT_AFTER = [[u] for u in ("l", "lt", "lts", "litro", "litros", "ml", "kg", "kilo", "kilos", "g", "gr", "gramos",
                             "oz", "onzas", "pulgadas", "cm")]  # fmt: skip


def leading_count(words: str) -> int | None:
    first = words.split()[0] if words.split() else ""
    return count_of(first) if first not in lexicon().fillers or first in ("un", "una", "uno") else None


_CHANGING_IT = re.compile(r"^(?:camb\w*?|(?:haz|hace|hag[ae]|pasa|pase)(?:me|nos)?)(?:lo|la|los|las)$")


def changes_it(word: str) -> bool:
    """Whether a folded word is a verb that turns a line into something else, with its pronoun:
    "cámbialo", "házmelo", "hacelo"/"pasalo" (voseo), "hazlas" (a swap, never a note)."""
    return _CHANGING_IT.match(word) is not None
