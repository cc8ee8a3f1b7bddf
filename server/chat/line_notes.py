"""A note said in a later message for a cart line it names after "on", "in", "for", "en", "a",
"para" ("no ketchup on the bec", "oat milk in the latte please", "sin cebolla en los de
suadero", "jugoso para el bife"): that line's note, not the last line's, and never named back
as not on the menu nor read as a removal.

`note_on_line` returns None when the message is not that (`editing` tries the next reading).
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat.cart_words import among_cart, count_of
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import fold
from comandia.server.chat.reading import read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done

_TOKEN = re.compile(r"\w+")
_SWAPPING = frozenset({"vez", "lugar", "instead", "place", "sea", "sean", "cambia", "cambiame", "change", "swap"})
"""Words of a swap, not a note ("que sea entero en vez del medio", "instead of the fries")."""
_BEFORE_LINE = frozenset({"on", "in", "for", "to", "en", "a", "al", "para", "pa", "pal"})
"""Words that say which line a note is for: "no onions ON the tacos", "sin cebolla EN los de suadero"."""
_POINTING = frozenset({"the", "my", "those", "that", "these", "this", "el", "la", "los", "las", "mi", "mis", "de",
                       "del", "ese", "esa", "esos", "esas"})  # fmt: skip
"""Words between that word and the line's name ("en LOS DE suadero", "on THE taro")."""


def note_on_line(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "less ice on the taro pls" after a taro and a thai tea: the note of the one cart line the
    words after the last "on"/"en"/"para" name surely, when the words before it order nothing
    (no count, no product: "2 tacos for the kids" orders) and name no line themselves."""
    tokens = list(_TOKEN.finditer(text))
    said = [fold(t.group(0)) for t in tokens]
    if _SWAPPING & set(said):
        return None
    fillers = lexicon().fillers
    for at in range(len(said) - 1, 0, -1):
        if said[at] not in _BEFORE_LINE:
            continue
        named = said[at + 1 :]
        while named and named[0] in _POINTING:
            named = named[1:]
        line = among_cart(turn, state, " ".join(named)) if named else None
        if line is None:
            continue
        note = text[: tokens[at].start()].strip(" ,.;:!¡¿?")
        before = said[:at]
        if not [w for w in before if w not in fillers] or any(count_of(w) not in (None, 1) for w in before):
            return None
        reading = read_order(note, turn.catalog)
        if reading.items or reading.doubts or reading.loose or among_cart(turn, state, note) is not None:
            return None  # an order, or another line named ("sin el refresco a la pizza")
        old = dict(state.notes).get(line.sku)
        joined = ", ".join((old, note)) if old and note not in old else note
        notes = (*(n for n in state.notes if n[0] != line.sku), (line.sku, joined))
        state = replace(state, notes=notes, stage="cart", last_sku=line.sku)
        return done(state, cart_buttons_reply(turn, state, turn.texts("note_set", name=line.name, note=joined)))
    return None
