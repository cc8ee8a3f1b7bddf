"""Quantities changed in words: "que sean 4 en vez de 2", "déjalo en uno", "mejor nada más 3",
"2 de cada uno", "de las mexicanas solo una", "mejor 4 de pastor y ninguno de bistec".

Each function returns None when the message is not that kind of edit (`editing` tries the next).
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import (
    SET_OPENERS,
    among_cart,
    count_of,
    counted,
    in_cart,
    last_line,
    leading_count,
    names_something,
    set_lines,
)
from comandia.server.chat.lexicon import MAX_NUMBER, lexicon
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import apply_reading
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done

_REPLACED = re.compile(r"\b(?:en vez de|en lugar de|instead of)\s+\S+")
_OLD_VALUE = re.compile(r"\b(?:en vez de|en lugar de|instead of|no)\s+(\S+)")
_EACH = re.compile(r"\b(?:de cada (?:uno|una|cosa|uno de ellos)|each|of each|cada uno|cada una)\b")
_ONLY = frozenset({"nomas", "nadamas", "namas", "solo", "solamente", "just", "only", "unicamente"})
_ONLY_SAID = re.compile(r"\b(?:nada mas|no mas(?= (?:\d+|un|una|uno|dos|tres|cuatro|cinco|seis)\b))\b")
"""Two words for "only": "mejor nada más 3", "no más 2" (before a number; "no más coca" is not)."""
_ALONE = re.compile(r"\b(un|una|uno|\d{1,3})\s+(?:sol[oa]|solit[oa])\b")
""""una sola", "uno solito", "1 solo": a count said as the only one, "nomás una" ("mejor una sola
inca kola" after 2 sets the line to 1; read as words, «sola» was a product word and asked about
another size; "y 1 solo arroz" kept only the arroz and took every other line out)."""


def only_said(words: str) -> str:
    """The normalised words with each way of saying "only" as "nomas" ("nada más 3", "una sola")."""
    return _ALONE.sub(r"nomas \1", _ONLY_SAID.sub("nomas", words))


_CLAUSES = re.compile(r"\s+(?:y|e|and)\s+|\s*,\s*")
_CHANGED_MIND = frozenset({"siempre", "wait", "espera", "al", "final"})
"""Words of "siempre no", "wait", "al final" before "nomás 3": they name no line."""
_ANOTHER = frozenset({"otro", "otra", "otros", "otras", "another"})
"""One more, never a quantity to set: "mejor otro igual" adds."""


_ROUND = re.compile(r"\b(?:otra|otro|another|one more|una mas|la misma|same)\s+(?:ronda|round|vuelta|tanda|tirada)\b")


def another_round(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "otra ronda de cañas", "another round": the line named (else the one talked about last)
    once more with as many as it holds, a round being the same count again."""
    found = _ROUND.search(words)
    if found is None:
        return None
    rest = (words[: found.start()] + " " + words[found.end() :]).strip()
    product = in_cart(turn, state, rest) if names_something(turn, rest) else last_line(turn, state, in_cart=True)
    if product is None:
        return None
    cart = state.cart_dict()
    return set_lines(turn, state, [(product, min(cart[product.sku] * 2, MAX_NUMBER))], last=product.sku)


def each(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "2 de cada uno" / "de cada cosa pon 2": every line of the cart gets that quantity."""
    quantity = _each_count(turn, words)
    if quantity is None:
        return None
    cart = {sku: quantity for sku in state.cart_dict()}
    state = replace(state.with_cart(cart), stage="cart")
    said = "\n".join(turn.texts("quantity_set", quantity=q, name=p.name)
                     for sku, q in cart.items() if (p := turn.catalog.product(sku)) is not None)  # fmt: skip
    return done(state, cart_buttons_reply(turn, state, said))


def each_asked(turn: Turn, state: ChatState, words: str, asked: tuple[str, ...]) -> Outcome | None:
    """ "va, 2 de cada uno" after the prices of two products: that many of each of them."""
    quantity = _each_count(turn, words) if asked else None
    if quantity is None:
        return None
    products = [p for sku in dict.fromkeys(asked) if (p := turn.catalog.product(sku)) is not None]
    return apply_reading(turn, state, Reading(items=tuple(Item(p, quantity, "", p.name) for p in products)))


def _each_count(turn: Turn, words: str) -> int | None:
    """N of "2 de cada uno" when the message names no product itself ("papitas y doritos, 2 de
    cada uno" is an order of those two, read as one)."""
    if not _EACH.search(words):
        return None
    rest = _EACH.sub(" ", words).split()
    counts = [c for w in rest if (c := count_of(w)) is not None and c > 0]
    if len(counts) != 1 or names_something(turn, " ".join(w for w in rest if count_of(w) is None)):
        return None
    return min(counts[0], MAX_NUMBER)


def only(turn: Turn, state: ChatState, words: str, after_removal: bool = False) -> Outcome | None:
    """ "mejor nomás el licuado": keep only the lines named, when they are all in the cart.
    `after_removal`: the words follow a removal in the same message ("quita los sprite, nomás las
    fantas"), so «only» is said among the lines of the named ones' category (the drinks): the
    others stay (the Jabón Zote went without being asked)."""
    split = words.split()
    at = next((i for i, w in enumerate(split) if w in _ONLY), None)
    if at is None:
        return None
    after = [w for w in split[at + 1 :] if w not in lexicon().fillers or count_of(w) is not None]
    if len(after) == 1 and count_of(after[0]) is not None:  # "de las mexicanas solo una", "nomás 2"
        setting = {w for phrase in lexicon().intent_phrases("set") for w in phrase.split()}  # "déjalo", "sean"
        taking_back = {w for phrase in lexicon().intent_phrases("correction") for w in phrase.split()}  # "perdona"
        skipped = SET_OPENERS | setting | taking_back | _CHANGED_MIND  # "siempre no, nomás 3": no product
        before = [w for w in split[:at] if w not in lexicon().fillers and w not in skipped]
        return _only_count(turn, state, before, count_of(after[0]) or 0)
    reading = read_order(" ".join(split[at + 1 :]), turn.catalog)
    cart = state.cart_dict()
    named = [i.product for i in reading.items]
    if reading.doubts:  # "el licuado": the one licuado in the cart
        one = among_cart(turn, state, " ".join(split[at + 1 :]))
        if one is None or len(reading.doubts) > 1:
            return None
        named.append(one)
    if not named or reading.unknown or any(p.sku not in cart for p in named):
        return None
    kept_words = [w for w in split[at + 1 :] if w not in SET_OPENERS]
    count = leading_count(" ".join(kept_words))
    if count is None and kept_words[:1] in (["unos"], ["unas"]) and len(named) == 1:
        count = 1  # "nomás unas alitas" after 2 orders: one, as an order counts "unas bravas"
    if count is not None:  # "nomás 3 de pastor", "only one lemonade then": that line's quantity
        return set_lines(turn, state, [(named[0], count)], last=named[0].sku) if len(named) == 1 else None
    kept = {p.sku: cart[p.sku] for p in named}
    if after_removal:
        kept |= _other_kinds(turn, cart, {p.category_id for p in named})
        if len(kept) == len(cart):  # what the removal left is what «only» says: the cart as it is
            return done(replace(state, stage="cart"), cart_buttons_reply(turn, state))
    if len(kept) == len(cart):
        return None
    gone = [turn.catalog.product(sku) for sku in cart if sku not in kept]
    state = replace(state.with_cart(kept), stage="cart")
    said = "\n".join(turn.texts("removed", name=p.name) for p in gone if p is not None)
    return done(state, cart_buttons_reply(turn, state, said))


def _other_kinds(turn: Turn, cart: dict[str, int], kinds: set[int | None]) -> dict[str, int]:
    """The cart's lines whose product is of none of the categories `kinds`."""
    return {sku: n for sku, n in cart.items() if (p := turn.catalog.product(sku)) is None or p.category_id not in kinds}


def _only_count(turn: Turn, state: ChatState, before: list[str], quantity: int) -> Outcome | None:
    """ "de las mexicanas solo una", "of the fries just one": the line named before gets that quantity."""
    product = in_cart(turn, state, " ".join(before)) if before else last_line(turn, state, in_cart=True)
    if product is None:
        return None
    return set_lines(turn, state, [(product, quantity)], last=product.sku)


_LINE_TO_COUNT = re.compile(
    r"^(?:.*?\b)?(?:camb\w*|change|make|switch|dej\w*|baj\w*|sub\w*|aument\w*|bump|raise|increase|lower|reduce)"
    r"\s+(?P<line>.+?)\s+(?:(?:up|down)\s+)?(?:(?:a|en|to)\s+)?(?:(?:solo|just|only)\s+)?"
    r"(?P<count>\w+)(?:\s+(?:no\s+mas|nada\s+mas|nomas|solo|only|please|pls|porfa|instead|then|entonces))*$"
)


_OF = frozenset({"de", "del", "of", "the", "el", "la", "los", "las"})
_FEWER_OPENERS = frozenset({"y", "e", "and", "mejor", "actually", "oye", "ok", "bueno", "pues", "no", "nah", "ah"})


def fewer(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "un capuchino menos", "uno menos de pastor", "one less lemonade", "one cappuccino less": that
    many units leave the line named (else the one talked about last); the rest stay, and all of
    them is the line taken out. None unless a count stands beside the word of "fewer" and the other
    words name one cart line and nothing else ("menos hielo", "less ice" are notes)."""
    said = words.split()
    while said and said[0] in _FEWER_OPENERS:
        said = said[1:]
    at = next((i for i, w in enumerate(said) if w in lexicon().intent_phrases("fewer")), None)
    if at is None or at == 0:
        return None
    if count_of(said[at - 1]):  # "uno menos de pastor", "one less lemonade", "de pastor uno menos"
        some, named = count_of(said[at - 1]), [*said[: at - 1], *said[at + 1 :]]
    elif count_of(said[0]) and at == len(said) - 1:  # "un capuchino menos", "one cappuccino less"
        some, named = count_of(said[0]), said[1:at]
    else:
        return None
    named = [w for w in named if w not in lexicon().fillers or w not in _OF]
    while named and named[0] in _OF:
        named = named[1:]
    if not some or counted(named):
        return None
    line = in_cart(turn, state, " ".join(named)) if named else last_line(turn, state, in_cart=True)
    if line is None or (named and not _names_one(turn, " ".join(named))):
        return None  # "one less lemonade and add extra ranch": more than the line, read in parts
    held = state.cart_dict().get(line.sku, 0)
    return set_lines(turn, state, [(line, max(held - some, 0))], last=line.sku)


def _names_one(turn: Turn, words: str) -> bool:
    """Whether the words name one product, surely or in doubt, and nothing else."""
    reading = read_order(words, turn.catalog)
    return len(reading.items) + len(reading.doubts) == 1 and not (reading.unknown or reading.loose)


def line_to_count(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "can u change the coffees to 1", "cambia las cocas a 3", "déjame las de pino en 4", "make the
    wings 10 instead", "bump the hot dogs up to 4", "súbele las tortas a 3": the cart line named set
    to that count (said as a swap, it is no product to swap to; a pack product becomes the pack of
    that size, `set_lines`)."""
    found = _LINE_TO_COUNT.match(words)
    quantity = count_of(found.group("count")) if found else None
    if found is None or quantity is None or count_of(found.group("line").split()[0]) is not None:
        return None
    product = in_cart(turn, state, found.group("line"))
    return set_lines(turn, state, [(product, quantity)], last=product.sku) if product is not None else None


def set_quantity(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    words = intents.normalised(text)
    phrase = intents.mentions(text, "set")
    first = next((w for w in words.split() if w not in lexicon().fillers or w in SET_OPENERS), "")
    if phrase is None and first not in SET_OPENERS:
        return None
    old_values = {m.group(1) for m in _OLD_VALUE.finditer(words)}
    numbers = [w for w in counted(words.split()) if w not in old_values and w not in _ANOTHER]
    if not numbers:
        return None
    following = words.split()[words.split().index(numbers[0]) + 1 :][:1]
    if following and following[0] in ("mas", "more"):
        return None  # "ponle 2 más": more, not a new quantity
    quantity = count_of(numbers[0]) or 0
    words = _REPLACED.sub(" ", words)  # "en vez de 2": the old quantity, said and done
    for said in lexicon().intent_phrases("set"):  # "que sean", "déjalo en": the edit's own words
        words = f" {words} ".replace(f" {said} ", " ").strip()
    rest = " ".join(w for w in words.split() if w not in numbers and w not in old_values and w not in SET_OPENERS)
    reading = read_order(rest, turn.catalog)
    if reading.unknown or len(reading.items) + len(reading.doubts) > 1:
        return None  # more than a quantity and one product: read it as an order, every word accounted for
    product = in_cart(turn, state, rest)
    if product is None:
        if reading.items or reading.doubts:
            return None  # it names something not in the cart: an order, read as one
        product = last_line(turn, state, in_cart=True)
    if product is None:
        return None
    noted = [*reading.notes, *(i.note for i in reading.items if i.note), *(d.note for d in reading.doubts if d.note)]
    if noted and quantity:  # "mejor que sean 2, deslactosados": the count, and the note of the line
        old = dict(state.notes).get(product.sku, "")
        note = ", ".join(n for n in (old, *noted) if n and (n == old or n not in old))
        state = replace(state, notes=(*(n for n in state.notes if n[0] != product.sku), (product.sku, note)))
    return set_lines(turn, state, [(product, quantity)], last=product.sku)


def set_each(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "mejor 4 de pastor y ninguno de bistec": a quantity for each of several cart lines, when
    every clause names one line of the cart and one quantity (otherwise it is an order)."""
    words = intents.normalised(text)
    phrase = intents.mentions(text, "set")
    first = next((w for w in words.split() if w not in lexicon().fillers or w in SET_OPENERS), "")
    if phrase is None and first not in SET_OPENERS:
        return None
    if phrase is not None:
        words = f" {words} ".replace(f" {phrase} ", " ").strip()
    clauses = [c for c in _CLAUSES.split(words) if c.strip()]
    if len(clauses) < 2:
        return None
    changes: list[tuple[ProductView, int]] = []
    added: list[Item] = []
    for clause in clauses:
        split = [w for w in clause.split() if w not in SET_OPENERS]
        counting = counted(split)
        counts = [count_of(w) or 0 for w in counting]
        if len(counts) != 1 or {"mas", "more"} & set(split):
            return None
        product = in_cart(turn, state, " ".join(w for w in split if w not in counting))
        new = _new_line(turn, state, split) if product is None and phrase is not None else None
        if product is None and new is None:
            return None
        if new is not None:  # "make that 1 strawberry and 1 mango": the mango is added
            added.append(new)
        elif product is not None:
            changes.append((product, counts[0]))
    if not added:
        return set_lines(turn, state, changes) if changes else None
    if not changes or any(quantity == 0 for _, quantity in changes):
        return None  # nothing of the cart restated, or a line dropped while others come: an order
    cart = state.cart_dict()
    for product, quantity in changes:
        cart[product.sku] = min(quantity, MAX_NUMBER)
    said = "\n".join(turn.texts("quantity_set", quantity=cart[p.sku], name=p.name) for p, _ in changes)
    state = replace(state.with_cart(cart), last_sku=changes[-1][0].sku)
    return apply_reading(turn, state, Reading(items=tuple(added)), said)


def _new_line(turn: Turn, state: ChatState, clause: list[str]) -> Item | None:
    """The one product not in the cart a clause of a quantity edit orders surely ("1 mango"), else None."""
    reading = read_order(" ".join(clause), turn.catalog)
    if len(reading.items) != 1 or reading.doubts or reading.unknown or reading.loose or reading.noted:
        return None
    return reading.items[0] if reading.items[0].product.sku not in state.cart_dict() else None


_INTERJECTIONS = frozenset({"uy", "uyy", "ay", "ah", "oh", "ups", "oops", "chale", "hijole", "ash", "ok", "okay"})
_TAKING_BACK = frozenset({"no", "wait", "espera", "esperate", "perate", "nel"})
_RESTATING = frozenset({"mejor", "make", "actually", "rather"})
"""Words that restate rather than take back ("mejor 4 de pastor y ninguno de bistec" sets
several lines, "mejor ponle 2 más" adds): `set_quantity` and `set_each` read those."""


def _without_old_count(words: list[str], held: set[int]) -> list[str]:
    """The words without a trailing "no N" / "not N" that says a count the cart holds, after
    another count ("perdón fueron 25 copias no 20" with 20 in the cart: 25, not 20 again; "3
    tacos, no, 4" with 1 in the cart is still 4)."""
    if len(words) < 3 or words[-2] not in ("no", "not") or count_of(words[-1]) not in held:
        return words
    return words[:-2] if any(count_of(w) for w in words[:-2]) else words


def retake(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "no, 1 coca", "me equivoqué, 3 leches", "wait no, 3 hot dogs", "corrijo: 2 cocas": a message
    that opens by taking back what was said sets the cart lines it names to the quantities it says
    (one of several products asked about is the one in the cart); what it names that is not in the
    cart is added as any order."""
    words = intents.normalised(text).split()
    rest = _after_taking_back(words)
    if rest is not None and not any(count_of(w) for w in rest):
        return _taken_for(turn, state, rest)
    if rest is None or {"mas", "more"} & set(rest):
        return None
    if intents.mentions(" ".join(rest), "remove") is not None:
        return None  # "ay no, quítele los nuggets y póngale unos aros": a removal (`editing`), no count
    rest = _without_setting(rest)  # "perdón, que sea uno nomás y un chaufa": "uno y un chaufa"
    rest = _without_old_count(rest, {q for _, q in state.cart})
    reading = read_order(" ".join(rest), turn.catalog)
    if reading.unknown or reading.noted or len(reading.loose) > 1:
        return None
    cart = state.cart_dict()
    changes = [(i.product, i.quantity) for i in reading.items if i.product.sku in cart]
    last = last_line(turn, state, in_cart=True) if reading.loose else None
    if reading.loose and (last is None or last.sku in {p.sku for p, _ in changes}):
        return None
    if last is not None:  # "no, que sea uno nomás y …": the count of the line just talked about
        changes.insert(0, (last, reading.loose[0]))
    asked = []
    for doubt in reading.doubts:
        inside = [p for p in doubt.candidates if p.sku in cart]
        if len(inside) > 1:
            return None
        if inside:  # "no, 1 coca": the coca of the cart
            changes.append((inside[0], doubt.quantity))
        else:
            asked.append(doubt)
    if not changes:
        return None
    said = []
    for product, quantity in changes:
        cart[product.sku] = min(quantity, MAX_NUMBER)
        said.append(turn.texts("quantity_set", quantity=cart[product.sku], name=product.name))
    added = tuple(i for i in reading.items if i.product.sku not in state.cart_dict())
    state = replace(state.with_cart(cart), last_sku=changes[-1][0].sku)
    return apply_reading(turn, state, Reading(items=added, doubts=tuple(asked)), "\n".join(said))


def _without_setting(words: list[str]) -> list[str]:
    """The words with the "que sea"/"que sean" that opens them and any "nomás" taken out: after a
    taking back they only say the counts that follow are the new ones."""
    opening = " ".join(words)
    for phrase in sorted(lexicon().intent_phrases("set"), key=len, reverse=True):
        if f"{opening} ".startswith(f"{phrase} "):
            words = words[phrase.count(" ") + 1 :]
            break
    return [w for w in words if w not in _ONLY]


def _after_taking_back(words: list[str]) -> list[str] | None:
    """The words after the opening "no, perdón" / "me equivoqué" / "wait no", or None when the
    message does not open by taking something back."""
    phrases = [p for p in lexicon().intent_phrases("correction") if p.split()[0] not in _RESTATING]
    at, took = 0, False
    while at < len(words):
        if words[at] in _INTERJECTIONS or words[at] in _TAKING_BACK:
            took = took or words[at] in _TAKING_BACK
            at += 1
            continue
        phrase = next((p for p in phrases if words[at : at + p.count(" ") + 1] == p.split()), None)
        if phrase is None:
            break
        took, at = True, at + phrase.count(" ") + 1
    return words[at:] if took else None


_INSTEAD = frozenset({"era", "eran", "sino", "es", "son", "no", "was", "were", "not"})
"""Words between what was meant and what was said: "no era huevo, era jamón", "de bistec, no de
suadero", "no las cocas sino fantas"."""


def _taken_for(turn: Turn, state: ChatState, rest: list[str]) -> Outcome | None:
    """ "no perdón, no era huevo, era jamón", "de bistec no de suadero": one product of the cart
    and one not, said apart by "era"/"no"/"sino": the cart's line becomes the other (as many)."""
    cuts = [i for i, w in enumerate(rest) if w in _INSTEAD and 0 < i < len(rest) - 1]
    cart = state.cart_dict()
    for cut in cuts:
        left = [w for w in rest[:cut] if w not in _INSTEAD]
        right = [w for w in rest[cut + 1 :] if w not in _INSTEAD]
        named = [_one_sure(turn, left), _one_sure(turn, right)]
        if None in named:
            continue
        inside = [p for p in named if p is not None and p.sku in cart]
        outside = [p for p in named if p is not None and p.sku not in cart]
        if len(inside) == 1 and len(outside) == 1:
            quantity = cart.pop(inside[0].sku)
            state = replace(state.with_cart(cart), last_sku=None)
            swapped = Reading(items=(Item(outside[0], quantity, "", outside[0].name),))
            return apply_reading(turn, state, swapped, turn.texts("removed", name=inside[0].name))
    return None


def _one_sure(turn: Turn, words: list[str]) -> ProductView | None:
    """The one product the words name surely, nothing else said."""
    if not words:
        return None
    reading = read_order(" ".join(words), turn.catalog)
    if len(reading.items) != 1 or reading.doubts or reading.unknown:
        return None
    return reading.items[0].product
