"""A change of mind said with "no" or "instead" that names one new product: it takes the place of
the line talked about last ("y un boing" … "no, mejor un sidral" is the Sidral alone; "a family
pack" … "actually make it a 20 piece instead" is the 20 pc alone).

The restating rule (docs/whatsapp.md, RULE c/d): "no" and "instead" say the new product is in
place of something, and with no line named that is the line talked about last, when the new one is
of its kind (the same category; any kind for "make it … instead"). The old one stayed beside it,
silently. Without "no" ("mejor un chocolate caliente" after a latte, "then a jalea instead" after
a dish not available, "add cajun corn instead") it is read as before: an order, but for another
size of a line in the cart ("actually a 6 piece is enough" after the 10 pc, "mejor un champurrado
chico" after the grande), which is in its place (`resized_instead`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import in_cart, is_add_on, last_line
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import ADDING_TOO, apply_reading
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.restating import same_dish
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn

_NEGATION = frozenset({"no", "nel", "nop", "nope"})
_SAID = frozenset({"no", "nel", "nop", "nope", "mejor", "actually", "better", "rather", "instead", "espera",
                   "wait", "uy", "ay", "ah", "oh", "make", "it", "que", "sea", "mas", "bien", "siempre"})  # fmt: skip
"""Words of the change of mind itself, none of the product ("no espera mejor que sea …")."""


def instead_of_last(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """The line talked about last replaced by the one product named; None when the message is
    no such change (no "no"/"instead" with a change of mind, words that add, anything but one
    product not in the cart, or a product of another kind)."""
    words = intents.normalised(text).split()
    said = set(words)
    pointed = {"make", "it"} <= said  # "make it a 20 piece instead": the line itself, whatever its kind
    if not ((_NEGATION & said and lexicon().change_of_mind & said) or (pointed and "instead" in said)):
        return None  # "then a jalea instead" after a dish not available: in place of that one, not of a line
    if ADDING_TOO & (said - {"mas"}):  # ("más bien" is no adding)
        return None
    rest = " ".join(w for w in words if w not in _SAID)
    reading = read_order(rest, turn.catalog)
    if len(reading.items) != 1 or reading.doubts or reading.unknown or reading.loose:
        return None
    item = reading.items[0]
    line = last_line(turn, state, in_cart=True)
    cart = state.cart_dict()
    if line is None or item.product.sku in cart or is_add_on(turn, item.product) or not item.product.available:
        return None
    lines = [p for sku in cart if (p := turn.catalog.product(sku)) is not None]
    if any(same_dish(p, item.product) for p in lines if p != line):
        return None  # "make it a 20 piece instead" after a 10 pc and fries: another size of the 10 pc
    if item.product.category_id != line.category_id and not pointed:
        return None  # "no, mejor unas papas" after a drink: another kind, read as an order
    if {w for w in words if w not in lexicon().fillers} & {"sin", "con", "without", "with"}:
        return None  # a note may be meant: read as before
    quantity = item.quantity if item.counted else cart[line.sku]
    cart.pop(line.sku)
    state = state.with_cart(cart)
    new = Reading(items=(replace(item, quantity=quantity),))
    return apply_reading(turn, state, new, turn.texts("removed", name=line.name))


_OLD_TO_NEW = re.compile(r"^(?P<old>.+?)\s+(?:to|into)\s+(?P<new>.+)$")
"""A line and what it becomes, with no verb: "10 pc to 20 pc plz"."""


def resized_instead(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "and large fries instead" after regular fries, "10 pc to 20 pc": another size of one cart
    line's own dish said in its place (`same_dish`), whatever was talked about last and though
    «and» opens it: «instead» (or the line named before «to») says it is no more of it. The
    regular fries stayed beside the large ones, silently. None when the words name no one such
    product, or it is no other size of exactly one line."""
    words = intents.normalised(text).split()
    found = _OLD_TO_NEW.match(" ".join(words))
    if _minded(words) and (outcome := _minded_size(turn, state, words)) is not None:
        return outcome
    if "instead" in words and "of" not in words:
        old_said, new_said = "", " ".join(w for w in words if w not in _SAID and w not in ADDING_TOO)
    elif found is not None:
        old_said, new_said = found.group("old"), found.group("new")
    else:
        return None
    reading = read_order(new_said, turn.catalog)
    if len(reading.items) != 1 or reading.doubts or reading.unknown or reading.loose:
        return None
    item = reading.items[0]
    cart = state.cart_dict()
    lines = [p for sku in cart if (p := turn.catalog.product(sku)) is not None and p != item.product]
    sized = [p for p in lines if same_dish(p, item.product)]
    named = in_cart(turn, state, old_said) if old_said else None
    if item.product.sku in cart or not item.product.available or len(sized) != 1 or named not in (None, sized[0]):
        return None
    if old_said and named is None:
        return None  # "add 2 to the order": nothing of the cart is turned into anything
    return _in_place(turn, state, sized[0], item)


def _minded(words: list[str]) -> bool:
    """Whether the message opens with a change of mind ("mejor …", "oh actually …") and adds
    nothing ("actually add …", "mejor también …" are more of the order)."""
    said = [w for w in words if w not in lexicon().interjections]  # "oye mejor …", "oh actually …"
    return bool(said) and said[0] in lexicon().change_of_mind - {"instead"} and not ADDING_TOO & (set(said) - {"mas"})


def _minded_size(turn: Turn, state: ChatState, words: list[str]) -> Outcome | None:
    """ "actually a 6 piece is enough", "mejor un champurrado chico es suficiente" after the 10 pc,
    the grande: the one product named is another size of exactly one line of the cart
    (`same_dish`), so it is said in that line's place, not beside it. The product may be read
    with a doubt for the words around it ("is enough"): the change is named back in full («Quité
    …», «Agregado: …»), so nothing of it is silent. None when it names anything else."""
    reading = read_order(" ".join(w for w in words if w not in _SAID), turn.catalog)
    if reading.unknown or reading.loose or len(reading.items) + len(reading.doubts) != 1:
        return None
    if reading.items:
        item = reading.items[0]
    elif len(reading.doubts[0].candidates) == 1:
        doubt = reading.doubts[0]
        item = Item(doubt.candidates[0], doubt.quantity, doubt.note, doubt.words, doubt.counted, doubt.pointed)
    else:
        return None
    cart = state.cart_dict()
    lines = [p for sku in cart if (p := turn.catalog.product(sku)) is not None and p != item.product]
    sized = [p for p in lines if same_dish(p, item.product)]
    if item.product.sku in cart or not item.product.available or len(sized) != 1:
        return None
    if not (set(words_of(item.product.name)) - set(words_of(sized[0].name))) & set(words):
        return None  # "actually take the fries off": the size was the reader's, not the customer's
    return _in_place(turn, state, sized[0], item)


def _in_place(turn: Turn, state: ChatState, line: ProductView, item: Item) -> Outcome:
    """The cart with `line` gone and `item` in its place, as many as the line held unless counted;
    another size of the same dish keeps what was asked of it ("hot" on the 6 pc, now the 10 pc)."""
    cart = state.cart_dict()
    quantity = item.quantity if item.counted else cart[line.sku]
    cart.pop(line.sku)
    note = item.note or dict(state.notes).get(line.sku, "")
    state = state.with_cart(cart)
    new = Reading(items=(replace(item, quantity=quantity, note=note),))
    return apply_reading(turn, state, new, turn.texts("removed", name=line.name))
