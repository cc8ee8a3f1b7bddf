"""A free-text order applied to the cart, every part accounted for, and "¿Te refieres a …?".

What `reading.read_order` found is applied at once: items are added (or refused by name when
unavailable or beyond stock), words not on the menu are named back ("No tenemos «torta»"), and
doubts wait in `state.suggestions`, asked one at a time with buttons ("pick:SKU" / "nomatch").
The reply says all of it, then shows the cart; `Outcome.named_back` lists what was not taken.

Restating rule (docs/whatsapp.md): an item named again is added again ("otra coca" = one more)
unless it only says how a cart line comes (`editing` reads that first, `noted_again`); to change a
quantity the customer says so ("que sean 4", "déjalo en uno"), and "quita …" removes.
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import stock
from comandia.server.chat.cart_words import set_lines
from comandia.server.chat.intents import mentions, normalised
from comandia.server.chat.lexicon import MAX_NUMBER, lexicon, number
from comandia.server.chat.matching import SURE, index_for
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.measures import whole_units
from comandia.server.chat.menus import add_lines
from comandia.server.chat.model import ProductView, Row, buttons_reply, clip, list_reply
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import STOPWORDS
from comandia.server.chat.verdicts import explains

HALF_TYPED = 0.51
"""A doubt whose best product holds no more than half of the typed words ("completo vegetariano")
is said not to be on the menu as well as asked about: the closest ones may still be wanted."""
LARGE_COUNT = 24
"""A count above this, of one product in one message, is asked about before it is added ("¿45 ×
Coca-Cola? ¿Seguro?"): such counts were mostly a number that was no count (a street number, a
suite, a date), and a real one for a party costs the customer one tap."""
MAX_ECHO = 80
"""Words named back are cut to this length: a 4,096-character message is not read back whole."""


def apply_reading(turn: Turn, state: ChatState, reading: Reading, prefix: str = "") -> Outcome:
    """Add the items, name back the unknown words, queue the doubts, and answer with all of it."""
    t = turn.texts
    items = reading.items
    loose_said: list[str] = []
    last = turn.catalog.product(state.last_sku) if state.last_sku else None
    if last is not None and any(item.product.sku == last.sku for item in reading.items):
        last = None  # "3 y 2 de pastor" after pastor: the 3 is not of the pastor named beside it; asked
    notes = reading.notes
    held = state.cart_dict().get(last.sku, 0) if last is not None else 0
    for at, quantity in enumerate(reading.loose):
        note = reading.loose_note(at)
        if last is not None and note and quantity < held and not reading.items:
            notes = (*notes, f"{quantity} {note}")  # "una sin cebolla" after 2 combos: one of the two, noted
        elif last is not None:
            items = (Item(last, quantity, note, str(quantity)), *items)
        else:
            loose_said.append(f"{quantity} {note}".strip())  # «1 sin tocino»: asked with its note
    for amount, words in reading.measured:  # "mándame kilo y medio" of the medio kilo asked about
        of = _talked_about(turn, state)
        units = whole_units(of, 1, amount, 0, False) if of is not None else None
        if of is not None and units:
            items = (*items, Item(of, min(units, MAX_NUMBER), "", words))
        else:
            loose_said.append(words)  # no product, or no whole number of it: asked which, never rounded
    state, noted, loose_said = _add_notes(turn, state, notes, loose_said)
    state, shared = _add_shared_notes(turn, state, reading.shared_notes, loose_said)
    noted += shared
    checked = tuple(i for i in items if _too_many(i.quantity))
    items = tuple(i for i in items if not _too_many(i.quantity))
    state = replace(state, checks=state.checks + tuple((i.product.sku, i.quantity, i.words, i.note) for i in checked))
    state, said, refused = add_items(turn, state, items)
    added = sum(i.quantity for i in items) + sum(d.quantity for d in reading.doubts)
    state = replace(state, people=reading.people or state.people, last_added=added or state.last_added)
    lines = [prefix] if prefix else []
    lines += said + noted
    if reading.people and not (said or noted or reading.doubts or reading.unknown or loose_said):
        lines.append(t("people_noted", people=reading.people))  # "hola, somos 3": no order yet
    half = tuple(d.words for d in reading.doubts if not explains(turn.catalog, d.words, HALF_TYPED))
    lines += [t("not_on_menu", text=clip(words, MAX_ECHO)) for words in (*reading.unknown, *half)]
    lines += [t("which_product", text=words) for words in loose_said]
    doubts = tuple((tuple(p.sku for p in d.candidates), d.quantity, d.words, d.note, d.counted) for d in reading.doubts)
    state = replace(state, suggestions=state.suggestions + doubts)
    outcome = next_step(turn, state, "\n".join(lines))
    unknown = tuple(clip(words, MAX_ECHO) for words in (*reading.unknown, *half))
    understood = bool(
        prefix or items or checked or noted or doubts or loose_said or not unknown
    )  # not only "no tenemos …"
    return replace(outcome, named_back=(*outcome.named_back, *unknown, *refused, *loose_said), understood=understood)


def _talked_about(turn: Turn, state: ChatState) -> ProductView | None:
    """The product the customer was talking about: the one price answer just given, else the
    last one added."""
    asked = set(state.asked)
    sku = state.asked[-1] if len(asked) == 1 else state.last_sku
    return turn.catalog.product(sku) if sku else None


def still_ordering(turn: Turn, text: str) -> Reading | None:
    """The order in an answer to "¿A nombre de quién…?" that is one more item ("y 2 de bistec"
    after an "ok" began the checkout): counted, every word a sure product. None for a real answer."""
    if not any(number(word) is not None for word in normalised(text).split()):
        return None
    reading = read_order(text, turn.catalog)
    return reading if reading.items and not (reading.unknown or reading.doubts) else None


def edits_cart(text: str, counted: bool) -> bool:
    """Whether a message says a word of changing the order: adding ("agrégame", "sumale", "one
    more"), taking off ("quítale", "take off"), setting a count ("que sean", "make it") or, when
    `counted`, a count ("ay no, solo una hamburguesa"). What a name or an address never says."""
    words = normalised(text).split()
    if ADDING & set(words) or _ORDERING_VERBS & set(words):
        return True
    if counted and any(number(word) is not None for word in words):
        return True
    return any(mentions(text, intent) for intent in ("remove", "set", "more", "fewer"))


_ORDERING_VERBS = frozenset({"agregame", "agregueme", "anademe", "sumame", "ponme", "ponle", "pon", "ponnos",
                             "poneme", "ponganme", "pongame", "echame", "echale", "swap", "switch", "change",
                             "cambia", "cambiame", "cambiale", "cambieme"})  # fmt: skip
"""Verbs that put something in the order besides `ADDING`'s ("ponme 2 sidral", "swap the sodas")."""


_NOT_A_COUNT = frozenset({"no", "mejor", "son", "eran", "otro", "otra", "otros", "otras", "mas", "more", "another",
                          "de", "of", "y", "and"})  # fmt: skip


_SOME = frozenset({"unos", "unas", "some"})
"""About ("unos 5"), not a count of their own."""


ADDING = frozenset({"agrega", "agregale", "agregame", "agregue", "agreguele", "agreguenle", "anade", "anademe",
                    "anadele", "add", "plus", "tambien", "also", "suma", "sumale", "sumame", "mas", "more", "otro",
                    "otra", "otros", "otras", "another", "extra"})  # fmt: skip
"""Words that say a clause adds ("y agrégale una sopa", "plus a lemonade", "2 más")."""
ADDING_TOO = ADDING | {"y", "e", "and", "too"}
"""`ADDING` and the words that join one more thing on ("y mejor también un sidral", "y uno grande")."""
_CLAUSES = re.compile(r"[,;.!?]+|\s(?:y|e|and)\s")


def counted_anew(
    turn: Turn, state: ChatState, reading: Reading, text: str, unsized: str | None
) -> tuple[ChatState, Reading, str]:
    """The line the message before added with no count the customer said (a tap answering "¿Cuál
    quieres para «agua»?" asked of "¿qué tiene de agua?", "unos de tripa"), named now with a count
    and no word of adding ("va, 2 de horchata y 3 de pastor"; "2 de vainilla" after the tapped
    Concha de vainilla, though a Latte de vainilla fits the words too): the restating rule's
    exception (f), right after the bot asked about that product the count said is that line's,
    never one more; the line added last named alone by its kind ("entonces de vainilla"), the answer
    said again, stays as it is. Returns the state with the line set, the reading without that item, and what
    the bot says ("Listo: 2 × Agua de horchata"); the state, reading and "" unchanged otherwise."""
    cart = state.cart_dict()
    again = _said_again_by_kind(turn, state, reading, text) if unsized is None else None
    if again is not None:  # "bueno entonces de coco" after the Limonada de coco picked: as it is
        return state, replace(reading, items=()), turn.texts("quantity_set", quantity=cart[again.sku], name=again.name)
    product = turn.catalog.product(unsized) if unsized is not None else None
    if product is None or unsized != state.last_sku or unsized not in cart:
        return state, reading, ""
    named = [i for i in reading.items if i.product.sku == unsized]
    own = set(words_of(product.name))  # "2 de vainilla": whole words of the line's own name ("una pap": no)
    fits = [d for d in reading.doubts if product in d.candidates and d.counted
            and {w for w in words_of(d.words) if w not in STOPWORDS} <= own]  # fmt: skip
    said = named[0] if len(named) == 1 else fits[0] if len(fits) == 1 and not named else None
    words = normalised(said.words) if said is not None else ""
    amount = any(number(w) is not None for w in words.split())  # ("1 kg de picada": its amount)
    if said is None or not (said.counted or amount) or not said.quantity:
        return state, reading, ""
    clauses = [f" {c} " for c in _CLAUSES.split(normalised(text))]
    its = [c for c in clauses if words and f" {words} " in c] or clauses
    if any(ADDING & set(c.split()) for c in its):
        return state, reading, ""  # "y otras 2 de horchata", "2 más": more of it
    cart[product.sku] = min(said.quantity, MAX_NUMBER)
    state = replace(state.with_cart(cart), last_sku=product.sku)
    rest = replace(reading, items=tuple(i for i in reading.items if i is not said),
                   doubts=tuple(d for d in reading.doubts if d is not said))  # fmt: skip
    return state, rest, turn.texts("quantity_set", quantity=cart[product.sku], name=product.name)


def _said_again_by_kind(turn: Turn, state: ChatState, reading: Reading, text: str) -> ProductView | None:
    """The line added last when the message names it alone by its kind, with "de" and no noun nor
    count ("bueno entonces de vainilla" after the Malteada de vainilla picked from the list; "de
    coco" after the Limonada de coco, though a Coca-Cola sounds near): the answer said again;
    None otherwise."""
    last = turn.catalog.product(state.last_sku) if state.last_sku else None
    if last is None or last.sku not in state.cart_dict() or reading.doubts or reading.unknown or reading.loose:
        return None
    if len(reading.items) != 1 or reading.items[0].counted:
        return None
    typed = [w for w in words_of(reading.items[0].words) if w not in STOPWORDS]
    said = normalised(text)
    if not typed or words_of(last.name)[0] in typed or not set(typed) <= set(words_of(last.name)):
        return None  # "una malteada": the dish, not its kind; "de fresa": another kind
    if f"de {' '.join(words_of(reading.items[0].words))}" not in said or set(said.split()) & (
        ADDING | {"y", "e", "and"}
    ):
        return None  # "y de vainilla": one more, of that kind
    return last


def count_of_unsized(turn: Turn, state: ChatState, text: str, unsized: str | None) -> Outcome | None:
    """The count of the line the message before added with none ("dame unos de tripa" … "como
    3", "unas 4"): that line set to it. None when the message is more than a bare quantity, or
    the line is not the one talked about last."""
    if unsized is None or unsized != state.last_sku or unsized not in state.cart_dict():
        return None
    words = normalised(text).split()
    if set(words) & _NOT_A_COUNT or len([w for w in words if number(w) is not None and w not in _SOME]) != 1:
        return None  # "one more", "son 3, no 1", "otra": more of it, or a correction
    if read_order(text, turn.catalog).items:
        return None  # "actually make it the 10 piece": a pack the menu sells by that count, not a count
    reading = read_order(" ".join(w for w in words if w not in lexicon().portions), turn.catalog)
    product = turn.catalog.product(unsized)
    if product is None or len(reading.loose) != 1 or reading.items or reading.doubts or reading.unknown:
        return None
    return set_lines(turn, state, [(product, reading.loose[0])], last=unsized) if reading.loose[0] else None


def _add_notes(
    turn: Turn, state: ChatState, notes: tuple[str, ...], loose_said: list[str]
) -> tuple[ChatState, list[str], list[str]]:
    """Notes that followed no product ("que vaya bien cocida") go to the line talked about last;
    with an empty cart they are asked about ("¿De qué producto…?"), never dropped."""
    cart = state.cart_dict()
    sku = state.last_sku if state.last_sku in cart else (state.cart[-1][0] if state.cart else None)
    product = turn.catalog.product(sku) if sku else None
    said: list[str] = []
    for note in notes:
        if product is None:
            loose_said.append(note)
            continue
        old = dict(state.notes).get(product.sku)
        joined = f"{old}, {note}" if old and note not in old else note
        kept = tuple(n for n in state.notes if n[0] != product.sku)
        state = replace(state, notes=(*kept, (product.sku, joined)))
        said.append(turn.texts("note_set", name=product.name, note=joined))
    return state, said, loose_said


def _add_shared_notes(
    turn: Turn, state: ChatState, shared: tuple[tuple[str, int], ...], loose_said: list[str]
) -> tuple[ChatState, list[str]]:
    """Notes said for several lines in a message of their own ("both 30% sweet please", "a todas
    sin cebolla"): each of the last lines they count (all of them for "todas"), and the bot says
    so; with fewer lines in the cart they are asked about, never dropped."""
    said: list[str] = []
    for note, count in shared:
        lines = counted_lines(turn, state, count)
        if not lines:
            loose_said.append(note)
            continue
        for sku, _ in lines:
            product = turn.catalog.product(sku)
            if product is None:
                continue
            old = dict(state.notes).get(sku)
            joined = f"{old}, {note}" if old and note not in old else note
            state = replace(state, notes=(*(n for n in state.notes if n[0] != sku), (sku, joined)))
            said.append(turn.texts("note_set", name=product.name, note=joined))
    return state, said


def counted_lines(turn: Turn, state: ChatState, count: int) -> tuple[tuple[str, int], ...]:
    """The last lines of the cart that "both" (2) or "all" (0) count, but for what goes on another
    item ("less ice on both": the teas, not the jelly); none when the cart holds fewer."""
    add_ons = {c.id for c in turn.catalog.categories if lexicon().add_ons & set(normalised(c.name).split())}
    held = tuple(line for line in state.cart if (p := turn.catalog.product(line[0])) is None
                 or p.category_id not in add_ons)  # fmt: skip
    return _last_lines(held, count)


def _last_lines(cart: tuple[tuple[str, int], ...], count: int) -> tuple[tuple[str, int], ...]:
    """The last lines of the cart that hold `count` units ("both": one line of 2, or two of 1);
    every line for 0; none when the cart holds fewer."""
    if not count:
        return cart
    held = 0
    for taken, (_, quantity) in enumerate(reversed(cart), 1):
        held += quantity
        if held >= count:
            return cart[-taken:]
    return ()


def add_items(turn: Turn, state: ChatState, items: tuple[Item, ...]) -> tuple[ChatState, list[str], list[str]]:
    """Add items one by one: (new state, what was said, names of products refused)."""
    said: list[str] = []
    refused: list[str] = []
    sold_out: ProductView | None = None
    added = False
    for item in items:
        before = state.cart_dict().get(item.product.sku, 0)
        if not item.product.available and item.words:
            bare = number(normalised(item.words)) is not None  # "ponme uno" of it: a count, no words of it
            said.append(stock.sold_out(turn, item.product, "" if bare else item.words))
            refused += [item.words, item.product.name]
            sold_out = item.product
            continue
        state, note = add_lines(turn, state, [(item.product, item.quantity)])
        said.append(note)
        if state.cart_dict().get(item.product.sku, 0) == before:
            refused.append(item.product.name)
            continue
        added = True
        vague = tuple(v for v in state.vague if v != item.product.sku)
        if _vague(turn, item.words):
            vague += (item.product.sku,)
        unsized = None if item.counted else item.product.sku
        state = replace(state, last_sku=item.product.sku, vague=vague, unsized=unsized)
        if item.note:  # one more of a line with another note ("una de rajas y otra de verde"): both kept
            old = dict(state.notes).get(item.product.sku, "") if before else ""
            joined = f"{old}, {item.note}" if old and item.note not in old else item.note
            kept = tuple(n for n in state.notes if n[0] != item.product.sku)
            state = replace(state, notes=(*kept, (item.product.sku, joined)))
    if sold_out is not None and not added:
        # "¿y el pay de queso?" (sold out), then "ponme uno": the one talked about is the pay, so the
        # bare count is of it and refused again, never one more of the line added before it
        state = replace(state, last_sku=sold_out.sku)
    return state, said, refused


def _vague(turn: Turn, words: str) -> bool:
    """Whether the customer's words for an item fit several products as well ("un agua": with or
    without gas; "unos chilaquiles": green or red)."""
    typed = [w for w in normalised(words).split() if w not in lexicon().fillers]
    matches = index_for(turn.catalog).match(typed, lexicon().synonyms) if typed else []
    return len([m for m in matches[:2] if m.typed >= SURE]) > 1


def _too_many(quantity: int) -> bool:
    """Whether a count is far above what is ordered of one product at once (`LARGE_COUNT`)."""
    return quantity > LARGE_COUNT


def next_step(turn: Turn, state: ChatState, prefix: str) -> Outcome:
    """Ask about the next count to confirm, else the next doubt, or show the cart."""
    if state.checks:
        return _check(turn, state, prefix)
    if state.suggestions:
        return _ask(turn, state, prefix)
    state = replace(state, stage="cart", pending_sku=None)
    return done(state, cart_buttons_reply(turn, state, prefix))


def answer(turn: Turn, state: ChatState, action: str) -> Outcome:
    """The customer's answer to "¿Te refieres a …?": a product ("pick:SKU") or none ("nomatch")."""
    t = turn.texts
    skus, quantity, words, note, counted = state.suggestions[0]
    state = replace(state, suggestions=state.suggestions[1:])
    sku = action.removeprefix("pick:")
    product = turn.catalog.product(sku) if action.startswith("pick:") and sku in skus else None
    if product is None:
        outcome = next_step(turn, state, t("skipped", text=words))
        return replace(outcome, named_back=(words,))
    if _too_many(quantity):  # "col centro" of the Coca-Colas, with a street number's 30: asked first
        return next_step(turn, replace(state, checks=((product.sku, quantity, words, note), *state.checks)), "")
    # (no count said: the tapped line is `unsized`, so a count said next is its count, never more)
    state, said, refused = add_items(turn, state, (Item(product, quantity, note, words, counted=counted),))
    outcome = next_step(turn, state, "\n".join(said))
    return replace(outcome, named_back=tuple(refused))


def answer_check(turn: Turn, state: ChatState, yes: bool) -> Outcome:
    """The customer's answer to "¿45 × Coca-Cola? ¿Seguro?": yes adds them; no adds none, says so
    and leaves the product talked about, so a count said next ("no, solo 2") is of it."""
    sku, quantity, words, note = state.checks[0]
    state = replace(state, checks=state.checks[1:])
    product = turn.catalog.product(sku)
    if product is None:
        return next_step(turn, state, "")
    if yes:
        state, said, refused = add_items(turn, state, (Item(product, quantity, note, words),))
        return replace(next_step(turn, state, "\n".join(said)), named_back=tuple(refused))
    state = replace(state, last_sku=sku, unsized=None)
    not_added = turn.texts("count_not_added", quantity=quantity, name=product.name)
    return replace(next_step(turn, state, not_added), named_back=(product.name,))


def drop_suggestions(turn: Turn, state: ChatState) -> tuple[ChatState, str, tuple[str, ...]]:
    """The customer wrote something else instead of answering: the counts to confirm and the
    doubts are named back, none of them added."""
    names = tuple(p.name for sku, *_ in state.checks if (p := turn.catalog.product(sku)) is not None)
    counts = [turn.texts("count_not_added", quantity=q, name=p.name)
              for sku, q, *_ in state.checks if (p := turn.catalog.product(sku)) is not None]  # fmt: skip
    words = tuple(s[2] for s in state.suggestions)
    said = "\n".join([*counts, *(turn.texts("skipped", text=w) for w in words)])
    return replace(state, suggestions=(), checks=(), stage="cart"), said, (*names, *words)


def _check(turn: Turn, state: ChatState, prefix: str) -> Outcome:
    """ "¿45 × Coca-Cola 600 ml? Es mucho, ¿seguro?" with "Sí, 45" / "No"."""
    t = turn.texts
    sku, quantity, _, _ = state.checks[0]
    product = turn.catalog.product(sku)
    name = product.name if product is not None else sku
    state = replace(state, stage="suggest")
    body = _join(prefix, t("count_check", quantity=quantity, name=name))
    return done(
        state, buttons_reply(body, [("count:yes", t("btn_yes_count", quantity=quantity)), ("count:no", t("btn_no"))])
    )


def _ask(turn: Turn, state: ChatState, prefix: str) -> Outcome:
    t = turn.texts
    skus, _, words, _, _ = state.suggestions[0]
    products = [p for s in skus if (p := turn.catalog.product(s)) is not None]
    state = replace(state, stage="suggest")
    if len(products) == 1:
        body = _join(prefix, t("did_you_mean", name=products[0].name))
        buttons = [(f"pick:{products[0].sku}", t("btn_yes")), ("nomatch", t("btn_no"))]
        return done(state, buttons_reply(body, buttons))
    body = _join(prefix, t("which_one", text=words))
    if len(products) == 2:
        buttons = [(f"pick:{p.sku}", p.name) for p in products] + [("nomatch", t("btn_none"))]
        reply = buttons_reply(body, buttons)
        if len(reply.buttons) == 3:
            return done(state, reply)
    rows: list[Row] = [(f"pick:{p.sku}", p.name, turn.money(p.price)) for p in products]
    rows.append(("nomatch", t("btn_none"), ""))
    return done(state, list_reply(body, t("products_button"), [("", rows)]))


def _join(first: str, second: str) -> str:
    return f"{first}\n\n{second}" if first and second else first or second


__all__ = [
    "add_items",
    "answer",
    "answer_check",
    "apply_reading",
    "drop_suggestions",
    "edits_cart",
    "next_step",
    "still_ordering",
]
