"""Changing the cart in words: remove, set a quantity, add more of the last thing, swap, restart.

The restating rule (docs/whatsapp.md): naming a product again adds to it ("otra coca" is one
more); a quantity is replaced only when the customer says so ("que sean 4", "déjalo en uno",
"mejor 6", "son 3, no 1", "make that 3"); "quita …" removes the line, "quita una …" one unit;
"en lugar de la horchata una jamaica" swaps; "mejor que sea la grande" / "que el de mamey sea de
plátano" turns a line into another size or flavour of itself; "mejor 4 de pastor y ninguno de
bistec" sets several lines; "scratch that" / "borra todo" starts the cart over.
When no product is named, the edit is about the product added last ("quítale uno", "agrégale otra").

Each function returns None when the message is not that kind of edit, so the flow reads it as an
order instead; what an edit names that is not in the cart is said back, never ignored.
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.lexicon import MAX_NUMBER, lexicon, number
from comandia.server.chat.matching import SURE, index_for, key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.menus import add_lines
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import apply_reading
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import SIZES, SMALLER, STOPWORDS, variant_of

_REPLACED = re.compile(r"\b(?:en vez de|en lugar de|instead of)\s+\S+")
_OLD_VALUE = re.compile(r"\b(?:en vez de|en lugar de|instead of|no)\s+(\S+)")
_SET_OPENERS = frozenset({"mejor", "son", "eran", "no", "perdon", "actually"})
_EACH = re.compile(r"\b(?:de cada (?:uno|una|cosa|uno de ellos)|each|of each|cada uno|cada una)\b")
_ONLY = frozenset({"nomas", "nadamas", "namas", "solo", "solamente", "just", "only", "unicamente"})
_ONLY_SAID = re.compile(r"\b(?:nada mas|no mas(?= (?:\d+|un|una|uno|dos|tres|cuatro|cinco|seis)\b))\b")
"""Two words for "only": "mejor nada más 3", "no más 2" (before a number; "no más coca" is not)."""
_SWAP = re.compile(
    r"^(?:.*?\b)?(?:en lugar de|en vez de|instead of)\s+(?P<old>.+?)\s+(?P<new>(?:una|uno|un|otra|otro|a|an|\d+)\b.*)$"
)
_CLAUSES = re.compile(r"\s+(?:y|e|and)\s+|\s*,\s*")
_ANOTHER = frozenset({"otro", "otra", "otros", "otras", "another"})
"""One more, never a quantity to set: "mejor otro igual" adds."""
_VARIANT_CUES = frozenset({"mejor", "better", "actually", "rather", "prefiero", "preferible"})
_IT = frozenset({"la", "lo", "las", "los", "it", "them"})
_CHANGE = re.compile(r"^(?:.*?\b)?(?:camb\w*|change|swap|replace)\s+(?P<old>.+?)\s+(?:por|for|with)\s+(?P<new>.+)$")


def edit(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """The message as a cart edit, or None when it is not one."""
    words = _ONLY_SAID.sub("nomas", intents.normalised(text))
    if not words:
        return None
    restart = intents.mentions(text, "restart")
    if restart is not None:
        return _restart(turn, state, intents.rest_after(text, restart))
    if not state.cart:
        return _more(turn, state, text) if state.last_sku else None
    return (
        _each(turn, state, words)
        or _only(turn, state, words)
        or _swap(turn, state, words)
        or _remove(turn, state, text)
        or _set(turn, state, text)
        or _set_each(turn, state, text)
        or _variant(turn, state, text)
        or _qualified(turn, state, text)
        or _more(turn, state, text)
    )


def _each(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "2 de cada uno" / "de cada cosa pon 2": every line of the cart gets that quantity."""
    if not _EACH.search(words):
        return None
    counts = [c for w in _EACH.sub(" ", words).split() if (c := _count(w)) is not None and c > 0]
    if len(counts) != 1:
        return None
    cart = {sku: min(counts[0], MAX_NUMBER) for sku in state.cart_dict()}
    state = replace(state.with_cart(cart), stage="cart")
    said = "\n".join(turn.texts("quantity_set", quantity=q, name=p.name)
                     for sku, q in cart.items() if (p := turn.catalog.product(sku)) is not None)  # fmt: skip
    return done(state, cart_buttons_reply(turn, state, said))


def _only(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "mejor nomás el licuado": keep only the lines named, when they are all in the cart."""
    split = words.split()
    at = next((i for i, w in enumerate(split) if w in _ONLY), None)
    if at is None:
        return None
    after = [w for w in split[at + 1 :] if w not in lexicon().fillers or _count(w) is not None]
    if len(after) == 1 and _count(after[0]) is not None:  # "de las mexicanas solo una", "nomás 2"
        before = [w for w in split[:at] if w not in lexicon().fillers and w not in _SET_OPENERS]
        return _only_count(turn, state, before, _count(after[0]) or 0)
    reading = read_order(" ".join(split[at + 1 :]), turn.catalog)
    cart = state.cart_dict()
    named = [i.product for i in reading.items]
    if reading.doubts:  # "el licuado": the one licuado in the cart
        one = _among_cart(turn, state, " ".join(split[at + 1 :]))
        if one is None or len(reading.doubts) > 1:
            return None
        named.append(one)
    if not named or reading.unknown or any(p.sku not in cart for p in named):
        return None
    count = _leading_count(" ".join(w for w in split[at + 1 :] if w not in _SET_OPENERS))
    if count is not None:  # "nomás 3 de pastor", "only one lemonade then": that line's quantity
        return _set_lines(turn, state, [(named[0], count)], last=named[0].sku) if len(named) == 1 else None
    kept = {p.sku: cart[p.sku] for p in named}
    if len(kept) == len(cart):
        return None
    gone = [turn.catalog.product(sku) for sku in cart if sku not in kept]
    state = replace(state.with_cart(kept), stage="cart")
    said = "\n".join(turn.texts("removed", name=p.name) for p in gone if p is not None)
    return done(state, cart_buttons_reply(turn, state, said))


def _only_count(turn: Turn, state: ChatState, before: list[str], quantity: int) -> Outcome | None:
    """ "de las mexicanas solo una", "of the fries just one": the line named before gets that quantity."""
    product = _in_cart(turn, state, " ".join(before)) if before else _last(turn, state, in_cart=True)
    if product is None:
        return None
    return _set_lines(turn, state, [(product, quantity)], last=product.sku)


def _restart(turn: Turn, state: ChatState, rest: str) -> Outcome:
    emptied = replace(state.with_cart({}), suggestions=(), last_sku=None)
    reading = read_order(rest, turn.catalog) if rest else None
    said = turn.texts("cart_emptied")
    if reading is None or reading.empty:
        return done(replace(emptied, stage="start"), cart_buttons_reply(turn, emptied, said))
    return apply_reading(turn, emptied, reading, said)


def _swap(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    found = _SWAP.match(words) or _CHANGE.match(words)
    if found is None:
        return None
    old = _in_cart(turn, state, found.group("old"))
    new = read_order(found.group("new"), turn.catalog)
    if old is None or not new.items:
        return None
    cart = state.cart_dict()
    cart.pop(old.sku, None)
    state = state.with_cart(cart)
    return apply_reading(turn, state, new, turn.texts("removed", name=old.name))


def _remove(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    phrase = intents.mentions(text, "remove")
    words = intents.normalised(text).split()
    if phrase is None and len(words) >= 2 and "no" in (words[0], words[-1]):
        product = _in_cart(turn, state, " ".join(w for w in words if w != "no"))
        if product is None:
            return None  # "el flan no" removes the flan; "no, eran 3" is not a removal
        phrase = "no"
    opener = next((w for w in words if w not in lexicon().fillers), "")
    if phrase is None and opener in ("sin", "without") and not read_order(text, turn.catalog).items:
        # "sin pan mejor", "sin la coca": a removal when it names the cart, else a note; never
        # when the words name a product themselves ("sin gas": Agua sin gas)
        phrase = opener
    if phrase is None:
        return None
    rest = " ".join(w for w in words if w != "no") if phrase == "no" else intents.rest_after(text, phrase)
    if not _names_something(turn, rest):  # "la horchata cancélala": the product comes first
        before = intents.rest_before(text, phrase)
        if _names_something(turn, before):
            rest = before
    count = _leading_count(rest)
    product = _in_cart(turn, state, rest)
    if product is None and (count is not None or not rest.strip()) and _names_nothing(turn, rest):
        product = _last(turn, state, in_cart=True)  # "quítale uno", "quítalo": of the product added last
    t = turn.texts
    if product is None:
        lines = _category_lines(turn, state, rest)
        if lines:  # "sin pan mejor": every line of the "Pan dulce" category
            return _set_lines(turn, state, [(p, 0) for p in lines])
        if phrase.split()[0] in ("sin", "mejor", "without"):
            # "mejor sin cebolla", "sin mayo" (Ave mayo is not in the cart): an ingredient, the
            # note of the line talked about last; read as one
            return None
        reading = read_order(rest, turn.catalog)
        named = next((i.product for i in reading.items), None)
        body = t("not_in_cart", name=named.name) if named else t("not_on_menu", text=rest)
        outcome = done(replace(state, stage="cart"), cart_buttons_reply(turn, state, body))
        return replace(outcome, named_back=(named.name if named else rest,))
    cart = state.cart_dict()
    left = cart.get(product.sku, 0) - count if count is not None else 0
    if left > 0:
        cart[product.sku] = left
        said = t("quantity_set", quantity=left, name=product.name)
    else:
        cart.pop(product.sku, None)
        said = t("removed", name=product.name)
    state = replace(state.with_cart(cart), stage="cart")
    return done(state, cart_buttons_reply(turn, state, said))


def _set(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    words = intents.normalised(text)
    phrase = intents.mentions(text, "set")
    first = next((w for w in words.split() if w not in lexicon().fillers or w in _SET_OPENERS), "")
    if phrase is None and first not in _SET_OPENERS:
        return None
    old_values = {m.group(1) for m in _OLD_VALUE.finditer(words)}
    numbers = [w for w in _counted(words.split()) if w not in old_values and w not in _ANOTHER]
    if not numbers:
        return None
    following = words.split()[words.split().index(numbers[0]) + 1 :][:1]
    if following and following[0] in ("mas", "more"):
        return None  # "ponle 2 más": more, not a new quantity
    quantity = _count(numbers[0]) or 0
    words = _REPLACED.sub(" ", words)  # "en vez de 2": the old quantity, said and done
    for said in lexicon().intent_phrases("set"):  # "que sean", "déjalo en": the edit's own words
        words = f" {words} ".replace(f" {said} ", " ").strip()
    rest = " ".join(w for w in words.split() if w not in numbers and w not in old_values and w not in _SET_OPENERS)
    reading = read_order(rest, turn.catalog)
    if reading.unknown or len(reading.items) + len(reading.doubts) > 1:
        return None  # more than a quantity and one product: read it as an order, every word accounted for
    product = _in_cart(turn, state, rest)
    if product is None:
        if reading.items or reading.doubts:
            return None  # it names something not in the cart: an order, read as one
        product = _last(turn, state, in_cart=True)
    if product is None:
        return None
    return _set_lines(turn, state, [(product, quantity)], last=product.sku)


def _set_each(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "mejor 4 de pastor y ninguno de bistec": a quantity for each of several cart lines, when
    every clause names one line of the cart and one quantity (otherwise it is an order)."""
    words = intents.normalised(text)
    phrase = intents.mentions(text, "set")
    first = next((w for w in words.split() if w not in lexicon().fillers or w in _SET_OPENERS), "")
    if phrase is None and first not in _SET_OPENERS:
        return None
    if phrase is not None:
        words = f" {words} ".replace(f" {phrase} ", " ").strip()
    clauses = [c for c in _CLAUSES.split(words) if c.strip()]
    if len(clauses) < 2:
        return None
    changes: list[tuple[ProductView, int]] = []
    for clause in clauses:
        split = [w for w in clause.split() if w not in _SET_OPENERS]
        counting = _counted(split)
        counts = [_count(w) or 0 for w in counting]
        product = _in_cart(turn, state, " ".join(w for w in split if w not in counting))
        if len(counts) != 1 or product is None:
            return None
        changes.append((product, counts[0]))
    return _set_lines(turn, state, changes)


def _set_lines(
    turn: Turn, state: ChatState, changes: list[tuple[ProductView, int]], last: str | None = None
) -> Outcome:
    """Each product's line set to its quantity (0 removes it), said line by line, with the cart."""
    cart = state.cart_dict()
    said = []
    for product, quantity in changes:
        if quantity == 0:
            cart.pop(product.sku, None)
            said.append(turn.texts("removed", name=product.name))
        else:
            cart[product.sku] = min(quantity, MAX_NUMBER)
            said.append(turn.texts("quantity_set", quantity=cart[product.sku], name=product.name))
    state = replace(state.with_cart(cart), stage="cart", last_sku=last or state.last_sku)
    return done(state, cart_buttons_reply(turn, state, "\n".join(said)))


def _variant(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "mejor que sea la grande", "cámbialo a grande", "que el de mamey sea de plátano", "make it
    a large": a cart line becomes the product its name makes with the words said (the same
    quantity and note). The line is the one the message names, else the one added last."""
    words = intents.normalised(text).split()
    phrase = intents.mentions(text, "set")
    if "sea" in words or "sean" in words:
        at = words.index("sea") if "sea" in words else words.index("sean")
        target, new = words[:at], words[at + 1 :]
    elif phrase is not None:
        target, new = intents.rest_before(text, phrase).split(), intents.rest_after(text, phrase).split()
    elif cues := [i for i, w in enumerate(words) if w in _VARIANT_CUES or (
            w in ("quiero", "quisiera", "prefiero", "want", "like") and i > 0 and words[i - 1] in _IT)]:  # fmt: skip
        # "no, mejor mediana", "grande mejor", "la quiero grande", "I want it large"
        target, new = [], [w for i, w in enumerate(words) if i not in cues and w not in _IT]
    else:
        return None
    lex = lexicon()
    target = [w for w in target if w not in _SET_OPENERS and w not in lex.fillers]
    new = [w for w in new if w not in lex.fillers or w in SMALLER]
    if not new or _counted(new):
        return None
    if target:
        line = _in_cart(turn, state, " ".join(target))
        other = variant_of(turn.catalog, line, new) if line is not None else None
    else:  # "make it a double": the last line, else the one line of the cart it fits
        last = _last(turn, state, in_cart=True)
        lines = [last] + [p for sku, _ in reversed(state.cart) if (p := turn.catalog.product(sku)) and p != last]
        fits = [(p, v) for p in lines if p is not None and (v := variant_of(turn.catalog, p, new)) is not None]
        line, other = fits[0] if fits and (fits[0][0] == last or len(fits) == 1) else (None, None)
    if line is None or other is None or line.sku not in state.cart_dict():
        return None
    return _replace_line(turn, state, line, other, new)


def _qualified(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """Words that only qualify the line added last ("sin gas" after "un agua", "grande" after
    "una hawaiana"): that line becomes the product they make with it; restating it changes nothing."""
    lex = lexicon()
    said = intents.normalised(text).split()
    words = [w for w in said if w not in lex.fillers or w in SIZES]
    if not words or not (words[0] in ("sin", "con", "without", "with") or set(words) <= SIZES):
        return None
    if any(_count(w) is not None for w in said):
        return None  # "una mediana": one more of something, not this line changed
    last = _last(turn, state, in_cart=True)
    if last is None or last.sku not in state.cart_dict():
        return None
    if set(words) <= {w for name in (last.name, *last.aliases) for w in words_of(name)}:
        return done(replace(state, stage="cart"), cart_buttons_reply(turn, state))  # "mediana": it is
    reading = read_order(text, turn.catalog)
    named = reading.items[0].product if len(reading.items) == 1 and not reading.unknown else None
    if named is not None and named.sku in state.cart_dict():
        return done(replace(state, stage="cart"), cart_buttons_reply(turn, state))  # "sin gas": it is
    other = variant_of(turn.catalog, last, words)
    if other is None or (named is not None and named.sku != other.sku):
        return None
    return _replace_line(turn, state, last, other, words)


def _replace_line(turn: Turn, state: ChatState, line: ProductView, other: ProductView, words: list[str]) -> Outcome:
    """The cart's `line` becomes `other`, with the same quantity and note, said as removed and added."""
    cart = state.cart_dict()
    quantity = cart.pop(line.sku)
    note = dict(state.notes).get(line.sku, "")
    state = state.with_cart(cart)
    swapped = Reading(items=(Item(other, quantity, note, " ".join(words)),))
    return apply_reading(turn, state, swapped, turn.texts("removed", name=line.name))


def _more(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "agrégale otra" / "one more": more of the product added last, when no product is named."""
    counts = [c for w in intents.normalised(text).split() if (c := _count(w)) is not None]
    phrase = intents.mentions(text, "more")
    if phrase is None and not counts:
        return None
    rest = intents.without(text, "more") if phrase else text
    reading = read_order(rest, turn.catalog)  # "repite el último porfa": the phrase orders nothing
    if not reading.empty:
        return None
    product = _last(turn, state)
    if product is None:
        return None
    state, said = add_lines(turn, state, [(product, counts[0] if counts else 1)])
    state = replace(state, stage="cart")
    return done(state, cart_buttons_reply(turn, state, said))


def _in_cart(turn: Turn, state: ChatState, words: str) -> ProductView | None:
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
    return _among_cart(turn, state, words) if reading.doubts or reading.items else None


def _among_cart(turn: Turn, state: ChatState, words: str) -> ProductView | None:
    """ "el licuado" with several licuados on the menu and one in the cart: that one."""
    cart = state.cart_dict()
    typed = [w for w in intents.normalised(words).split() if w not in lexicon().fillers]
    inside = [m for m in index_for(turn.catalog).match(typed, lexicon().synonyms) if m.product.sku in cart]
    if not inside or inside[0].typed < SURE or (len(inside) > 1 and inside[1].typed >= inside[0].typed):
        return None
    return inside[0].product


def _category_lines(turn: Turn, state: ChatState, words: str) -> list[ProductView]:
    """The cart's products whose category the words name ("el pan" -> Pan dulce), or none."""
    typed = {key(w) for w in words.split() if w not in lexicon().fillers and len(w) >= 3}
    if not typed:
        return []
    named = {c.id for c in turn.catalog.categories
             if typed & {key(w) for w in words_of(c.name) if w not in STOPWORDS and len(w) >= 3}}  # fmt: skip
    products = [turn.catalog.product(sku) for sku, _ in state.cart]
    return [p for p in products if p is not None and p.category_id in named]


def _names_something(turn: Turn, words: str) -> bool:
    """Whether the words name a product (surely or in doubt), or words not on the menu."""
    return bool(words.strip()) and not read_order(words, turn.catalog).empty


def _names_nothing(turn: Turn, words: str) -> bool:
    reading = read_order(words, turn.catalog)
    return not (reading.items or reading.doubts or reading.unknown)


def _last(turn: Turn, state: ChatState, in_cart: bool = False) -> ProductView | None:
    """The product added (or asked about) last, else the cart's last line."""
    last = state.last_sku if not in_cart or state.last_sku in state.cart_dict() else None
    sku = last or (state.cart[-1][0] if state.cart else None)
    return turn.catalog.product(sku) if sku else None


def _count(word: str) -> int | None:
    if word in ("un", "una", "uno", "one", "otra", "otro"):
        return 1
    if word in ("ninguno", "ninguna", "none", "cero", "zero"):
        return 0
    return number(word)


def _counted(words: list[str]) -> list[str]:
    """The words that count something: "3 litros" is a size, not three of something."""
    return [w for i, w in enumerate(words) if _count(w) is not None and words[i + 1 : i + 2] not in _UNIT_AFTER]


_UNIT_AFTER = [[u] for u in ("l", "lt", "lts", "litro", "litros", "ml", "kg", "kilo", "kilos", "g", "gr", "gramos",
                             "oz", "onzas", "pulgadas", "cm")]  # fmt: skip


def _leading_count(words: str) -> int | None:
    first = words.split()[0] if words.split() else ""
    return _count(first) if first not in lexicon().fillers or first in ("un", "una", "uno") else None
