"""Taking back the last change of the cart: "no no, olvídalo, déjalo como estaba" right after "uno
más de longaniza", "nvm leave it how it was" after "add onion rings".

The state keeps the cart as it was before the message just before changed it (`ChatState.undo`);
a message that changes nothing forgets it, so "olvídalo" after a question or a price is never
read as taking back a change made earlier. The phrases are data (`lexicon.toml` [intents] undo).
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents, set_on
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import Inbound
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done


def undone(turn: Turn, state: ChatState, message: Inbound) -> Outcome | None:
    """The cart put back as it was, when the message says nothing but to take back the change
    just made (and fillers: "ya no mejor", "bueno no"); the cart as it is when the message takes
    back what it says itself ("agrégale otra coca… no, olvídalo, déjalo como estaba"); None
    otherwise. Only while the cart is shown (or nothing is asked yet): answering a "¿Te refieres
    a…?" or a checkout question, "no, olvídalo" answers that."""
    if state.stage not in _SHOWN or message.kind != "text":
        return None
    if _taken_back_itself(message.text):
        kept = replace(state, undo=None, undo_notes=(), setting=False)
        return done(kept, cart_buttons_reply(turn, kept, turn.texts("unchanged")))
    if state.undo is None or state.stage != "cart" or not intents.only(message.text, "undo"):
        return None
    back = replace(state, cart=state.undo, notes=state.undo_notes, undo=None, undo_notes=(), setting=False)
    back = replace(back, pending_sku=None)
    back = back.with_cart(back.cart_dict())  # (drops what `vague` said of lines no longer there)
    return done(back, cart_buttons_reply(turn, back, turn.texts("undone")))


_SHOWN = ("start", "cart", "menu", "products")
_PIECES = re.compile(r"[,;.!?…]+")


def _taken_back_itself(text: str) -> bool:
    """Whether the message ends taking back all it said before: a piece after a comma or a full
    stop says only to forget it ("agrégale otra… no, olvídalo, déjalo como estaba", "oh and a donut.
    actually nvm"), after words that are more than fillers. A word of forgetting must be there:
    "sin la birra, como estaba" takes the beer off, "2 de pastor, como antes" orders as last time."""
    pieces = _PIECES.split(text)
    fillers = lexicon().fillers
    for at in range(1, len(pieces)):
        head = intents.normalised(" ".join(pieces[:at])).split()
        tail = " ".join(pieces[at:])
        forgets = any(w.startswith(_FORGETTING) for w in intents.normalised(tail).split())
        if forgets and intents.only(tail, "undo") and any(w not in fillers for w in head):
            return True
    return False


_FORGETTING = ("olvid", "deshaz", "deshac", "nvm", "never", "nevermind", "forget", "undo")
"""How the words of forgetting what was just said begin ("olvídalo", "deshazlo", "never mind")."""


def recorded(before: ChatState, after: ChatState, message: Inbound) -> ChatState:
    """The state after a message, remembering the cart it changed (or forgetting an older one),
    and whether it set a count ("make it 6 tacos", or "and 2 lemonades" going on so: `set_on`)."""
    if after.cart == before.cart and after.notes == before.notes:
        return replace(after, undo=None, undo_notes=(), setting=False)
    text = message.text if message.kind == "text" else ""
    setting = bool(text) and (set_on.sets(text) or set_on.goes_on(before, text))
    return replace(after, undo=before.cart, undo_notes=before.notes, setting=setting)
