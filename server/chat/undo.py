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
from comandia.server.chat.reading import read_order
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
    if state.undo is None or state.stage != "cart" or not _forgets(message.text):
        return None
    back = _put_back(state)
    return done(back, cart_buttons_reply(turn, back, turn.texts("undone")))


def undone_then(turn: Turn, state: ChatState, message: Inbound) -> tuple[ChatState, str] | None:
    """The cart put back as it was and the words that follow, when the message opens taking back
    the change just made and goes on to order in its place ("olvida eso, mejor 4 de suadero y 4
    de bistec" after "8 de pastor", "uy olvida lo que te he dicho, mejor 2 copas de rioja"): the
    old lines stayed and the new ones were asked about as missing from the cart. None when the
    words after order nothing, or the first words name what to forget ("olvídate de la coca,
    mejor una pepsi" takes the coca out: `editing`)."""
    if state.undo is None or state.stage != "cart" or message.kind != "text":
        return None
    said = message.text
    for cut in _CUTS.finditer(said):
        head, tail = said[: cut.start()], said[cut.end() :].strip()
        if not head.strip() or not tail or not _forgets(head):
            continue
        ordered = read_order(tail, turn.catalog)
        back = _put_back(state)
        if any(item.product.sku in _brought_back(state, back) for item in ordered.items):
            return None  # "no, déjalo como estaba, sí quiero las gambas": the gambas said again, no more of them
        if ordered.items or ordered.doubts:
            return back, tail
    return None


def _brought_back(state: ChatState, back: ChatState) -> set[str]:
    """The products whose lines putting the cart back changes (the gambas just taken off)."""
    before, after = state.cart_dict(), back.cart_dict()
    return {sku for sku in {*before, *after} if before.get(sku) != after.get(sku)}


_CUTS = re.compile(r"\s*[,;.!?…]+\s*|\s+(?=(?:mejor|better|rather|instead|pero|but|y|and|dame|ponme|give me)\b)")
"""Where the taking back may end and the order go on: a mark, or the word that opens the order."""


def _put_back(state: ChatState) -> ChatState:
    """The state with the cart (and its notes) as it was before the change just made."""
    back = replace(state, cart=state.undo or (), notes=state.undo_notes, undo=None, undo_notes=(), setting=False)
    back = replace(back, pending_sku=None)
    return back.with_cart(back.cart_dict())  # (drops what `vague` said of lines no longer there)


def _forgets(text: str) -> bool:
    """Whether the words say nothing but to take back the change just made: the undo phrases
    ("olvídalo", "déjalo como estaba", "nvm") or a word of forgetting or taking off said of the
    last thing said ("no, olvida lo último", "borra lo último q te pedí", "forget the last thing i
    said", "olvida lo que te he dicho"), with fillers."""
    if intents.only(text, "undo"):
        return True
    words = intents.normalised(text)
    rest = _LAST_SAID.sub(" ", words)
    if rest == words:
        return False
    fillers = lexicon().fillers
    said = [w for w in rest.split() if w not in fillers and w not in _BESIDES]
    return bool(said) and all(w.startswith(_FORGETTING + _TAKING_OFF) for w in said)


_LAST_SAID = re.compile(
    r"\b(?:lo|el|la|los|las) ultim[oa]s?\b(?:\s+que\s+(?:te\s+|le\s+)?(?:he\s+|acabo de\s+)?\w+)?"
    r"|\blo que (?:te\s+|le\s+)?(?:he\s+|acabo de\s+)?\w+"
    r"|\bthe last (?:thing|one|item|bit|part)\b(?:\s+i\s+(?:just\s+)?\w+)?"
    r"|\bwhat i (?:just\s+)?(?:said|added|asked for|ordered|sent)\b"
)
"""The last thing said, named as such ("lo último que te pedí", "the last thing i said", "lo que te
acabo de pedir", "what i just added")."""
_TAKING_OFF = ("borr", "quit", "sac", "cancel", "elimin", "remov", "delet", "scratch", "drop", "take", "off")
_BESIDES = frozenset({"de", "del", "of", "about", "on", "with", "nel", "nop", "nah", "nope", "naa"})
"""Words around the taking back that are no fillers elsewhere ("nel, borra lo último", "forget about the last one")."""


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
