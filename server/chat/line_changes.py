"""A cart line turned into another size or flavour of itself: "mejor que sea la grande", "que el
de mamey sea de plátano", "make it a double", and a later message that only qualifies ("sin gas",
"grande"). The same quantity; the note stays with a size change.

Each function returns None when the message is not that kind of edit (`editing` tries the next).
"""

from __future__ import annotations

from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import SET_OPENERS, count_of, counted, in_cart, last_line
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import apply_reading
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import SIZES, SMALLER, variant_of

_VARIANT_CUES = frozenset({"mejor", "better", "actually", "rather", "prefiero", "preferible"})
_IT = frozenset({"la", "lo", "las", "los", "it", "them"})


def variant(turn: Turn, state: ChatState, text: str) -> Outcome | None:
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
    target = [w for w in target if w not in SET_OPENERS and w not in lex.fillers]
    new = [w for w in new if w not in lex.fillers or w in SMALLER]
    if not new or counted(new):
        return None
    if target:
        line = in_cart(turn, state, " ".join(target))
        other = variant_of(turn.catalog, line, new) if line is not None else None
    else:  # "make it a double": the last line, else the one line of the cart it fits
        last = last_line(turn, state, in_cart=True)
        lines = [last] + [p for sku, _ in reversed(state.cart) if (p := turn.catalog.product(sku)) and p != last]
        fits = [(p, v) for p in lines if p is not None and (v := variant_of(turn.catalog, p, new)) is not None]
        line, other = fits[0] if fits and (fits[0][0] == last or len(fits) == 1) else (None, None)
    if line is None or other is None or line.sku not in state.cart_dict():
        return None
    return _replace_line(turn, state, line, other, new)


def qualified(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """Words that only qualify the line added last ("sin gas" after "un agua", "grande" after
    "una hawaiana"): that line becomes the product they make with it; restating it changes nothing."""
    lex = lexicon()
    said = intents.normalised(text).split()
    words = [w for w in said if w not in lex.fillers or w in SIZES]
    if not words or not (words[0] in ("sin", "con", "without", "with") or set(words) <= SIZES):
        return None
    if any(count_of(w) is not None for w in said):
        return None  # "una mediana": one more of something, not this line changed
    last = last_line(turn, state, in_cart=True)
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
