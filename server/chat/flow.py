"""The chat-to-order brain: `step(state, message, ...) -> Outcome(state, replies, draft)`.

Pure: no database, no clock, no network. The conversation service loads the state and the
catalog, calls `step`, places the order when the outcome carries a draft (then calls
`order_placed` or `order_failed` for the answer) and stores the new state.

How a message is read, first match wins:

1. A tapped button or list row is its id ("prod:PZ-MAR", "qty:2", "confirm"); ids are checked
   against the catalog and the state, never trusted.
2. In the quantity and cart-line stages, a typed quantity ("2", "dos").
3. While asking for delivery data, the text is the answer (unless it is a keyword).
4. A typed number or title of the last reply's choices (the plain-text menus of Twilio and the
   sandbox): "2" means what tapping the second row would have meant.
5. A keyword, the whole message: menu/menú, carrito/cart, cancelar/cancel, estado/status,
   ayuda/help, hola/hi, and in context sí/yes, más/more, finalizar/checkout, vaciar/empty.
6. "quitar la coca" / "remove coke"; a lone number names a product of the numbered menu.
7. Otherwise a free-text order: "quiero 2 pizzas margarita y una coca", "2 x margarita".

Every message gets exactly one reply (a confirmation may get none from `step` and one from
`order_placed`): WhatsApp paces a customer to about one message every six seconds.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import replace

from comandia.server.chat import (
    answers,
    checkout,
    checkout_facts,
    editing,
    fulfilment,
    hours,
    intents,
    line_notes,
    menus,
    ordering,
    questions,
    repeat,
    restating,
    set_on,
    undo,
)
from comandia.server.chat.lexicon import language_of, lexicon, number
from comandia.server.chat.matching import index_for
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.measures import amount_said
from comandia.server.chat.model import (
    MAX_INTERACTIVE_BODY,
    MAX_TEXT_BODY,
    CatalogView,
    CustomerRef,
    Inbound,
    LatestOrder,
    ProductView,
    Reply,
    TenantContext,
    choice_for,
    fold,
    text_reply,
)
from comandia.server.chat.parsing import keyword, parse_quantity
from comandia.server.chat.purpose import without_occasion
from comandia.server.chat.reading import Doubt, Item, Reading, read_order
from comandia.server.chat.spread import Referents
from comandia.server.chat.state import ChatState
from comandia.server.chat.texts import Texts
from comandia.server.chat.turn import Outcome, Turn, done, home_reply, prefixed, puzzled, said_before_cart

__all__ = [
    "Outcome",
    "cancel_answered",
    "count_asked",
    "order_already_placed",
    "order_failed",
    "order_placed",
    "status_notification",
    "step",
    "suggested",
    "wants_latest_order",
]

_DELIVERY_STAGES = ("name", "address", "city", "phone", *fulfilment.STAGES)
_ESCAPES = ("menu", "cart", "cancel", "help", "status")  # keywords that work while answering


def step(
    state: ChatState,
    message: Inbound,
    tenant: TenantContext,
    catalog: CatalogView,
    customer: CustomerRef,
    latest: LatestOrder | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Answer one customer message.

    Args:
        state: the conversation so far (`ChatState()` for a new or expired one).
        message: what the customer sent.
        tenant: the business, its language, currency and text overrides.
        catalog: the menu now (prices and availability are read from it every time).
        customer: who writes (a profile name offers itself as the order's name).
        latest: the customer's latest order; needed only when `wants_latest_order` says so.
        now: the instant of the message, for the opening hours (None: they are not checked).

    Returns:
        The new state (with the last reply's choices remembered), the replies, and a draft when
        the customer confirmed: the caller places it and answers with `order_placed`.
    """
    if message.kind == "text":
        message = replace(message, text=_visible(message.text))
    state = _with_language(state, message, tenant, catalog)
    turn = Turn.of(_speaking(tenant, state), catalog, customer, now)
    try:
        outcome = undo.undone(turn, state, message) or _undone_then(turn, state, message, latest)
        if outcome is None:
            outcome = _dispatch(turn, state, message, latest)
            outcome = replace(outcome, state=undo.recorded(state, outcome.state, message))
    except RecursionError:  # pragma: no cover - a guard: no message may take the conversation down
        outcome = puzzled(turn, state)
    if not state.greeted and outcome.replies:
        outcome = _with_hours_notice(turn, outcome)
    if state.notice == "expired" or (not state.greeted and outcome.replies):
        outcome = _with_opening(turn, state, outcome)
    outcome = replace(outcome, state=replace(outcome.state, notice=None, greeted=True))
    return outcome.remembered() if outcome.replies else outcome


def _undone_then(turn: Turn, state: ChatState, message: Inbound, latest: LatestOrder | None) -> Outcome | None:
    """ "olvida eso, mejor 4 de suadero y 4 de bistec": the change just made taken back, then the
    rest read as a message of its own against the cart as it was (`undo.undone_then`)."""
    then = undo.undone_then(turn, state, message)
    if then is None:
        return None
    back, rest = then
    outcome = _dispatch(turn, back, replace(message, text=rest), latest)
    outcome = replace(outcome, state=undo.recorded(state, outcome.state, message))
    return prefixed(outcome, turn.texts("undone"))


def wants_latest_order(state: ChatState, message: Inbound) -> bool:
    """Whether `step` will need the customer's latest order for this message ("estado")."""
    if message.reply_id == "status":
        return True
    return message.kind == "text" and (
        keyword(message.text) == "status"
        or choice_for(state.choices, message.text) == "status"
        or repeat.wants_repeat(message.text)
        or questions.about_my_order(message.text)
    )


def suggested(state: ChatState) -> tuple[str, ...]:
    """The SKUs the bot's last reply asks "did you mean …?" about (its "pick:SKU" choices)."""
    return tuple(choice_id[5:] for choice_id, _ in state.choices if choice_id.startswith("pick:"))


def count_asked(state: ChatState) -> tuple[str, int] | None:
    """(sku, count) when the bot's last reply asks to confirm a count far above what is ordered
    of the product ("¿45 × Coca-Cola? ¿Seguro?", its "count:yes" / "count:no" choices)."""
    if state.stage != "suggest" or not state.checks:
        return None
    if not any(choice_id == "count:yes" for choice_id, _ in state.choices):
        return None
    sku, quantity, _, _ = state.checks[0]
    return sku, quantity


def order_placed(tenant: TenantContext, state: ChatState, number: int, total_text: str) -> Outcome:
    """The answer once the draft became order `number`: the cart and delivery data are cleared."""
    fresh = replace(state.restarted(), sequence=state.sequence + 1, last_order=number, greeted=True)
    texts = Texts(_speaking(tenant, state))
    eta = fulfilment.eta_minutes(tenant.rules, state.zone)
    body = texts("placed", number=number, total=total_text) + (f"\n{texts('eta_line', minutes=eta)}" if eta else "")
    return done(fresh, text_reply(body))


CANCEL_TEXTS = {
    "cancelled": "cancel_requested",
    "already": "cancel_already",
    "not_new": "cancel_not_new",
    "too_late": "cancel_too_late",
    "not_by_chat": "cancel_not_by_chat",
    "not_found": "cancel_not_found",
}
"""The answer to each result of the order service's customer cancellation (`CustomerCancel`)."""


def cancel_answered(tenant: TenantContext, state: ChatState, number: int, result: str, status: str) -> Outcome:
    """The answer once the order service acted on the outcome's `cancel_order` (as `order_placed`
    answers a draft): only a real cancellation says "cancelled"; a refusal says why.

    Args:
        result: the service's `CustomerCancel` value; `status` the order's status now.
    """
    texts = Texts(tenant)
    key = CANCEL_TEXTS.get(result, "cancel_not_found")
    return done(state, text_reply(texts(key, number=number, status=texts.status(status))))


def order_already_placed(tenant: TenantContext, state: ChatState) -> Outcome:
    """The answer to a confirmation that raced another one which placed the order."""
    number = state.last_order if state.last_order is not None else 0
    return done(state, text_reply(Texts(_speaking(tenant, state))("already_placed", number=number)))


def order_failed(
    tenant: TenantContext, state: ChatState, catalog: CatalogView, customer: CustomerRef, problem: str
) -> Outcome:
    """The answer when the order could not be placed (sold out meanwhile...): back to the cart."""
    turn = Turn.of(_speaking(tenant, state), catalog, customer)
    outcome = checkout.show_cart(turn, state, turn.texts("order_failed", problem=problem))
    return outcome.remembered()


def status_notification(tenant: TenantContext, number: int, status: str) -> Reply:
    """The message telling a customer their order changed status, in the tenant's language."""
    texts = Texts(tenant)
    return text_reply(texts("status_changed", number=number, status=texts.status(status)))


def status_label(tenant: TenantContext, status: str) -> str:
    """An order status in the tenant's words (the variable of a status template)."""
    return Texts(tenant).status(status)


def _visible(text: str) -> str:
    """The text without control and invisible format characters (zero-width spaces, BOM, RTL
    marks): they would split words ("pi\u200bzza") and say nothing; new lines are kept."""
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf"))


def _speaking(tenant: TenantContext, state: ChatState) -> TenantContext:
    """The tenant as this customer is answered: in the language they write in."""
    if state.language in ("es", "en") and state.language != tenant.locale:
        return replace(tenant, locale="en" if state.language == "en" else "es")
    return tenant


def _with_language(state: ChatState, message: Inbound, tenant: TenantContext, catalog: CatalogView) -> ChatState:
    """The customer's language follows what they write; an unclear message keeps the current one.
    Spanish words that are all words of the menu's names count for none: "4 tamales de rajas con
    queso and a cafe de olla thanks" is English on a Spanish menu («de», «con» are the dishes'
    names); "can I get una horchata and 2 tacos de suadero" chose «una» itself, and stays mixed."""
    if message.kind != "text":
        return state
    words = intents.language_words(message.text)
    lex, index = lexicon(), index_for(catalog)
    named = [w for w in words if w in lex.spanish]
    if named and all(index.knows(w) for w in named) and sum(w in lex.english for w in words) >= 2:
        words = [w for w in words if w not in lex.spanish]  # (one "plis" beside them is not English)
    spoken = language_of(words)
    if spoken is None or spoken == (state.language or tenant.locale):
        return state
    return replace(state, language=None if spoken == tenant.locale else spoken)


def _dispatch(turn: Turn, state: ChatState, message: Inbound, latest: LatestOrder | None) -> Outcome:
    if state.stage == "suggest" and state.asking:
        answered = _answer_suggestion(turn, state, message)
        if answered is not None:
            return answered
        state, said, named = ordering.drop_suggestions(turn, state)
        outcome = _dispatch(turn, state, message, latest)
        return prefixed(outcome, said, named)
    if message.kind == "order":
        return menus.take_catalog_cart(turn, state, message.order_items)
    if message.kind in ("media", "other"):
        return done(state, home_reply(turn, state, turn.texts("media")))
    text = message.text.strip()
    action = message.reply_id if message.kind in ("button", "list") and message.reply_id else None
    if action is None and state.stage in ("quantity", "edit") and message.kind != "location":
        quantity = parse_quantity(text)
        if quantity is not None:
            verb = "qty" if state.stage == "quantity" else "set"
            return _act(turn, state, f"{verb}:{quantity}", latest)
    if state.stage in _DELIVERY_STAGES and (action is None or action == "usename" or action[:4] in ("ful:", "pay:")):
        word = keyword(text) if message.kind == "text" else None
        chosen = choice_for(state.choices, text) if message.kind == "text" else None
        if word in _ESCAPES:
            return _act(turn, state, str(word), latest)
        more = ordering.still_ordering(turn, text) if state.stage in ("name", "city") and not action else None
        if more is not None:  # "y 2 de bistec" answering the name: the order goes on
            return ordering.apply_reading(turn, replace(state, stage="cart"), more)
        typed = message.kind == "text" and not action
        changed = _cart_changed_at_checkout(turn, state, text, latest) if typed else None
        if changed is not None:  # "ah espera, agrégame un flan" answering the name: the cart changes
            return changed
        noted = checkout_facts.answered_at_checkout(turn, state, text) if typed else None
        if noted is not None:  # "pago en efectivo" answering the name: noted, the name asked again
            return noted
        return checkout.answer_delivery(turn, state, message, action or chosen)
    if message.kind == "location":
        return checkout.take_location(turn, state, message)
    if action is None and text and not _counts_unsized(state, text):
        action = choice_for(state.choices, text)
    if action is None and text and not any(c.isalnum() for c in text) and "?" not in text:
        return _reaction(turn, state, text)
    if action is None and text:
        spoken, called = _without_vocative(turn, _without_business_name(turn, text))
        heard = _without_sold_out_heard(_without_greeting(spoken))
        outcome = _read_text(turn, state, without_occasion(heard, turn.catalog), latest)
        return _asked_about_dish(turn, state, outcome, called) if called is not None else outcome
    if action is None:
        return puzzled(turn, state)
    return _act(turn, state, action, latest)


_ASKED_TEXT = ("name", "address", "city", "phone")
"""The checkout's questions answered in the customer's own words (the others are choices)."""


def _cart_changed_at_checkout(turn: Turn, state: ChatState, text: str, latest: LatestOrder | None) -> Outcome | None:
    """The cart changed by an answer to a checkout question that edits it instead ("ah espera,
    antes de confirmar agrégame un flan", "no espera quítale las cocas", "oh wait, one more
    cheeseburger" after «es todo»): read as if the cart were shown, the cart shown again with the
    change (or the product it names asked about), and the question asked again at the next
    checkout. None for a real answer: a name, an address or a city says no word of changing an
    order (`ordering.edits_cart`; an address and a phone hold numbers, so a count alone is not
    enough there) or changes nothing when read."""
    if state.stage not in _ASKED_TEXT or not ordering.edits_cart(text, counted=state.stage in ("name", "city")):
        return None
    outcome = _read_text(turn, replace(state, stage="cart"), text, latest)
    changed = (outcome.state.cart, outcome.state.notes) != (state.cart, state.notes)
    return outcome if (changed or outcome.state.suggestions) and outcome.draft is None else None


_TOKEN = re.compile(r"\w+")


def _without_business_name(turn: Turn, text: str) -> str:
    """The message without the words of the business's own name that no product holds ("buenos
    días doña Rosy" at Tamales Doña Rosy, "que onda don Memo"): said to the person, they order
    nothing and are never matched to a product that sounds alike (the Tamal «rosita»)."""
    index = index_for(turn.catalog)
    fillers = lexicon().fillers  # "Los" of "Fuente de Soda Los Leones" is also in "Pasaje Los Aromos 321"
    own = {w for w in words_of(turn.tenant.business_name)
           if len(w) >= 3 and w not in fillers and not index.knows_key(w)}  # fmt: skip
    if not own:
        return text
    kept = _TOKEN.sub(lambda found: " " if fold(found.group(0)) in own else found.group(0), text)
    return kept if any(c.isalnum() for c in kept) else text


def _without_vocative(turn: Turn, text: str) -> tuple[str, Item | None]:
    """The message without the word it calls the person by, right after its greeting ("hola causa,
    un ceviche mixto", "buenas tardes causa,", "habla causa!", "heyyy bro") or first and set apart
    by a comma or a greeting ("causa, una jalea", "causita buenas tardes", "compa, 5 de pastor"):
    said to the person, never matched to a dish of that name (the Causa limeña); "una causa"
    further on still orders it.
    A first word set apart may still be the dish ("causa, un mixto y una chicha" orders three
    things to some Peruvians): the dish it names is returned, to be asked about."""
    lex = lexicon()
    tokens = list(_TOKEN.finditer(text))
    greetings = {phrase for phrase in lex.intent_phrases("greet") if phrase.count(" ") == 1}
    at = 0
    while at < len(tokens) and (lex.spelled(fold(tokens[at].group(0))) in lex.greeting_openers or at and (
            f"{fold(tokens[at - 1].group(0))} {fold(tokens[at].group(0))}" in greetings)):  # fmt: skip
        at += 1  # "hola", "buenas tardes", "que onda": the greeting before the word
    if at == len(tokens) or not _is_vocative(fold(tokens[at].group(0))):
        return text, None
    if at == 0 and not _set_apart(text, tokens):
        return text, None  # "causa y 2 ceviches", "causa" alone: the dish
    vocative = tokens[at]
    dish = read_order(vocative.group(0), turn.catalog) if at == 0 else None
    called = dish.items[0] if dish is not None and len(dish.items) == 1 and not dish.doubts else None
    return f"{text[: vocative.start()]}{text[vocative.end() :]}", called


def _asked_about_dish(turn: Turn, before: ChatState, outcome: Outcome, called: Item) -> Outcome:
    """The order read without its first word, and "¿Te refieres a Causa limeña de pollo?" about
    that word when the message ordered other things and not that dish: never added unasked,
    never dropped unasked. A message that ordered nothing ("causa, ¿a qué hora cierran?") called
    the person; so did one that ordered the dish further on ("causa, una causa limeña")."""
    state = outcome.state
    if state.stage != "cart" or state.cart == before.cart or called.product.sku in state.cart_dict():
        return outcome
    doubt = ((called.product.sku,), 1, called.words or called.product.name, "", False)
    asked = ordering.next_step(turn, replace(state, suggestions=(doubt,)), "")
    last = outcome.replies[-1] if outcome.replies else None
    asked = prefixed(asked, last.body) if last is not None else asked
    replies = (*outcome.replies[:-1], *asked.replies)
    return replace(outcome, state=asked.state, replies=replies)


def _is_vocative(word: str) -> bool:
    """A word the customer calls the person by, or its diminutive ("causita", "compita")."""
    vocatives = lexicon().vocatives
    if word in vocatives:
        return True
    stem = word[:-3] if word.endswith(("ita", "ito")) else ""
    return len(stem) >= 2 and (stem + "a" in vocatives or stem + "o" in vocatives)


def _set_apart(message: str, tokens: list[re.Match[str]]) -> bool:
    """Whether the message's first word stands apart from what follows: a comma or a mark after
    it ("causa, …", "mano! …"), or a greeting right after it ("causita buenas tardes")."""
    if len(tokens) < 2:
        return False
    between = message[tokens[0].end() : tokens[1].start()]
    following = lexicon().spelled(fold(tokens[1].group(0)))
    return any(mark in between for mark in ",!.;:") or following in lexicon().greeting_openers


_CLAUSE_END = re.compile(r"[,;.!?]+")
"""Where the first clause of a message ends."""


def _without_sold_out_heard(text: str) -> str:
    """The message without its first clause when that clause only says the customer heard a
    product is sold out ("ah ok no hay, entonces unos chiles toreados", "ah no hay, ya, entonces un
    jugo de frambuesa"): its «hay» asks nothing, and the order after it is read as one (it was
    answered with the product's price, and nothing added)."""
    end = _CLAUSE_END.search(text)
    if end is None or "?" in end.group(0) or not any(c.isalnum() for c in text[end.end() :]):
        return text  # "ah no tienen? bueno entonces 2 de pierna": asked back, the order after it is read whole
    return text[end.end() :].strip() if intents.only(text[: end.start()], "sold_out_heard") else text


_CLAUSE_MARK = re.compile(r"[,.;:!?¡¿\n]+")


def _without_greeting(text: str) -> str:
    """The message without the greetings it opens with, each ended by a mark ("que tal! me mandan 6
    de pastor…", "q tal, para la oficina: 3 moles…", "quiubo que mas, me manda…", "hey whats up,
    can i get…"): said to the person, they ask nothing, so the order after them is read as an
    order and «qué tal» never makes it a price question. A greeting alone stays (it is answered as
    one), and so does one run into what follows ("¿qué tal está el pozole?" asks)."""
    rest = text.lstrip(" ¿¡")
    while (mark := _CLAUSE_MARK.search(rest)) is not None:
        opening, after = rest[: mark.start()], rest[mark.end() :]
        if not any(c.isalnum() for c in after) or not intents.only(opening, "greet"):
            break
        rest = after
    return rest.strip() if rest != text.lstrip(" ¿¡") else text


def _counts_unsized(state: ChatState, text: str) -> bool:
    """ "mole" … "2": a bare count right after a line added with none is that line's count (read as
    `ordering.count_of_unsized` reads it), not the second button of the cart reply; a count equal
    to the line's (the "1" of "Finalizar pedido") is still the button."""
    if state.unsized is None or state.unsized != state.last_sku:
        return False
    quantity = parse_quantity(text)
    return quantity is not None and quantity != state.cart_dict().get(state.unsized, quantity)


def _reaction(turn: Turn, state: ChatState, text: str) -> Outcome:
    """An emoji or a reaction alone: 👍 confirms a summary, 🙏 after an order thanks, else a smile."""
    if state.stage == "summary" and intents.is_exactly(text, "yes"):
        return checkout.confirm(turn, state)
    if intents.only(text, "thanks") and state.last_order is not None and not state.cart:
        return done(state, text_reply(turn.texts("thanks_close")))
    return done(state, home_reply(turn, state, turn.texts("reaction")))


def _answer_suggestion(turn: Turn, state: ChatState, message: Inbound) -> Outcome | None:
    """The answer to "¿Te refieres a …?" (a tap, a typed choice, yes or no), or None when the
    customer wrote something else."""
    action = message.reply_id if message.kind in ("button", "list") else None
    if state.checks:  # "¿45 × Coca-Cola? ¿Seguro?": a tap, "sí", "no"
        if action is None and message.kind == "text":
            action = choice_for(state.choices, message.text)
            if action is None and intents.is_exactly(message.text, "yes"):
                action = "count:yes"
            elif action is None and intents.is_exactly(message.text, "no"):
                action = "count:no"
        return (
            ordering.answer_check(turn, state, action == "count:yes") if action in ("count:yes", "count:no") else None
        )
    if action is None and message.kind == "text":
        action = choice_for(state.choices, message.text)
        skus = state.suggestions[0][0]
        if action is None and intents.is_exactly(message.text, "yes") and len(skus) == 1:
            action = f"pick:{skus[0]}"
        elif action is None and intents.is_exactly(message.text, "no"):
            action = "nomatch"
    if action is not None and (action.startswith("pick:") or action == "nomatch"):
        return ordering.answer(turn, state, action)
    return None


def _faq_and_order(turn: Turn, state: ChatState, text: str, faq: str) -> Outcome:
    """The FAQ answer, and whatever the message also orders ("¿entregan en la Narvarte? 8 de
    pastor"): what follows the last question mark is read as an order; without one, only the
    products named surely are taken (the question's own words are not products)."""
    after = text[text.rindex("?") + 1 :] if "?" in text else ""
    reading = read_order(after, turn.catalog) if after.strip(" ,.!") else read_order(text, turn.catalog, options=False)
    if not after.strip(" ,.!"):
        reading = replace(reading, doubts=(), unknown=(), loose=(), loose_notes=())
    if reading.empty:
        return done(state, home_reply(turn, state, faq))
    return ordering.apply_reading(turn, state, reading, faq)


def _confirms(turn: Turn, text: str) -> bool:
    """Yes to the summary: "sí", "👍", "si, así está bien", "sure thing" (no product, no "no")."""
    if intents.is_exactly(text, "yes"):
        return True
    words = intents.normalised(text).split()
    if intents.mentions(text, "yes") is None or "no" in words or "not" in words:
        return False
    reading = read_order(text, turn.catalog)
    return not (reading.items or reading.doubts)


def _closes(text: str) -> bool:
    """Whether the message says the order is complete ("sería todo", "es todo gracias", "that's
    it") and counts nothing: "mejor nada más uno" is "only one"."""
    lex = lexicon()
    counts = any(number(w) is not None or w in lex.quantities for w in intents.normalised(text).split())
    return not counts and intents.only(text, "done")


def _repeat_and_edit(turn: Turn, state: ChatState, text: str, latest: LatestOrder | None) -> Outcome:
    """ "lo mismo de la vez pasada pero sin la coca", "the usual but double it": the last order in
    the cart, then the words around the repeat read as a change of that cart, answered as one
    reply. A message that lists items and says no change ("the usual pls: 2 brisket tacos and a
    lemonade") orders the items listed, as without a last order."""
    parts = repeat.split(text)
    listed = bool(parts.rest) and bool(read_order(parts.rest, turn.catalog).items)
    if listed and (latest is None or not latest.lines or not repeat.changes(parts.rest)):
        return _read_text(turn, state, parts.rest, latest)  # "lo de siempre: 3 de pastor y una horchata"
    if not parts.rest or latest is None or not latest.lines:
        return repeat.repeat_last(turn, state, latest, parts.times)
    again = repeat.repeated(turn, state, latest, parts.times)
    return prefixed(_read_text(turn, again.state, parts.rest, latest), again.said, again.gone)


def _read_text(turn: Turn, state: ChatState, text: str, latest: LatestOrder | None) -> Outcome:
    t = turn.texts
    text = _exclamation_off(turn, text)
    asked, state = state.asked, replace(state, asked=())  # only the answer just before counts
    unsized, dozens = state.unsized, state.dozens
    state = replace(state, unsized=None, dozens=False)  # of the message just before only
    if intents.mentions(text, "handoff"):
        return replace(done(state, text_reply(hours.handoff_text(turn.texts, turn.now))), handoff=True)
    where = checkout_facts.where_asked(turn, state, text)
    if where is not None and where[2].strip() and where[2] != text:  # "…calle Pino 45. ¿aceptan tarjeta?"
        kept, said, rest = where
        kept = replace(kept, asked=asked, unsized=unsized, dozens=dozens)  # read afresh with the rest
        return prefixed(_read_text(turn, kept, rest, latest), said)
    beside = checkout_facts.said_beside(turn, state, text) if asked else None
    if beside is not None:  # "guárdame 2 que paso a la tarde" right after «¿hay chipá?»: 2 chipás
        kept, said, rest = beside
        kept = replace(kept, asked=asked, unsized=unsized, dozens=dozens)
        return prefixed(_read_text(turn, kept, rest, latest), said)
    beside = checkout_facts.said_beside(turn, state, text) if state.cart else None
    if beside is not None and _edits(turn, beside[0], beside[2]):  # "que sean 4 corridas, tocan el timbre"
        kept, said, rest = beside  # the count set (never 4 more), the note kept
        kept = replace(kept, asked=asked, unsized=unsized, dozens=dozens)
        return prefixed(_read_text(turn, kept, rest, latest), said)
    noted = checkout_facts.answered(turn, state, text)
    if noted is not None:  # "efectivo" at the summary, "para llevar" mid-cart, an address before the checkout
        return noted
    if state.stage == "summary" and _confirms(turn, text):
        return checkout.confirm(turn, state)
    if state.cart and _closes(text):  # "listo, eso es todo", "that's it": nothing more to add
        return checkout.confirm(turn, state) if state.stage == "summary" else checkout.start_checkout(turn, state)
    if state.cart:  # "so thats 2 brisket, mac and lemonade right?": the order summed up, not a question
        text = restating.without_check(text)
    if state.last_order is not None and not state.cart and intents.mentions(text, "cancel"):
        if turn.tenant.rules.customer_cancel_minutes == 0:  # "never by chat": nothing to ask the service
            return done(state, text_reply(t("cancel_not_by_chat", number=state.last_order)))
        reply = text_reply(t("cancel_requested", number=state.last_order))
        return replace(done(state, reply), cancel_order=state.last_order)
    if repeat.wants_repeat(text):
        return _repeat_and_edit(turn, state, text, latest)
    if questions.about_my_order(text) and not read_order(text, turn.catalog).items:
        return questions.order_eta(turn, state, latest)
    if intents.only(text, "thanks"):
        closing = t("thanks_close") if state.last_order is not None and not state.cart else t("welcome_back")
        return done(state, text_reply(closing))
    word = keyword(text) or ("greet" if intents.only(text, "greet") else None)
    if word is not None:
        return _act(turn, state, _KEYWORD_ACTIONS.get(word, word), latest)
    kept = replace(state, asked=asked, unsized=unsized, dozens=dozens)
    both = (_said_then_asked(turn, kept, text, latest) or _asked_then_said(turn, kept, text, latest)
            or _said_then_noted(turn, kept, text, latest))  # fmt: skip
    if both is not None:  # "y una coca. ah y el chicharrón ¿cuánto?": the coca added, the price answered
        return both
    faq = answers.faq(turn, text)
    if faq is not None:
        return _faq_and_order(turn, state, text, faq)
    question = questions.answer(turn, state, text)
    if question is not None:
        return question
    whole = _whole_count(turn, state, text)
    if whole is not None:  # "so 3 chili cheese dogs total": the line's count said, nothing asked
        return whole
    answered = answers.price_or_total(turn, state, text, asked, unsized)
    if answered is not None:
        return answered
    counted = ordering.count_of_unsized(turn, state, text, unsized)
    if counted is not None:  # "dame unos de tripa" … "como 3": the count of that line
        return counted
    edited = set_on.set_on(turn, state, text) or editing.edit(turn, state, text, asked)
    if edited is not None:  # ("and 2 lemonades" right after "make it 6 tacos": set at 2 too)
        return edited
    if _whole(text.strip()) is not None:
        product = menus.product_by_number(turn, int(text.strip()))
        if product is not None:
            return menus.ask_quantity(turn, state, product.sku)
    yes_read = read_order(text, turn.catalog) if state.cart and intents.is_exactly(text, "yes") else None
    if yes_read is not None and not (yes_read.items or yes_read.doubts or yes_read.loose or yes_read.measured):
        return checkout.start_checkout(turn, state)  # "ok así está bien": never «bien» as a note ("ok dame uno" counts)
    text, units = _units_counted(turn, _some_counted(_it_counted(text, asked), asked), asked)
    reading = read_order(text, turn.catalog, dozens=dozens, referents=Referents(state.people, state.last_added))
    said_yes, _, rest = text.partition(",")
    if rest.strip() and intents.is_exactly(said_yes, "yes"):
        after = read_order(rest, turn.catalog, dozens=dozens, referents=Referents(state.people, state.last_added))
        # ("vale, pues ponme una": the yes agrees, a bare quantity orders)
        bare = after.loose and not (after.items or after.doubts or after.unknown)
        # "ta bien, mandame uno y un coctel": the yes is no product, nor the owner of the count after it
        agreed = reading.unknown and not after.unknown and not after.empty
        reading = after if bare or agreed else reading
    reading = _after_yes(turn, text, reading, dozens)
    if units is not None:  # "dame 2 paquetes y …" right after a price: 2 of what was answered
        reading = replace(reading, loose=(units, *reading.loose), loose_notes=("", *reading.loose_notes))
    if asked and reading.loose and not (reading.items or reading.doubts or reading.unknown):
        reading = _of_asked(turn, reading, asked)
    elif asked and len(reading.loose) == 1 and reading.items:
        reading = _of_other_asked(turn, reading, asked)
    if reading.empty:
        if intents.is_exactly(text, "yes") and state.cart:
            return checkout.start_checkout(turn, state)
        return puzzled(turn, state)
    state, reading, said = ordering.counted_anew(turn, state, reading, text, unsized)  # "va, 2 de horchata"
    outcome = ordering.apply_reading(turn, state, reading, said)
    return replace(outcome, state=replace(outcome.state, dozens=reading.dozens))


def _exclamation_off(turn: Turn, text: str) -> str:
    """The message without the exclamation it opens with ("buenísimo guárdame 2 que paso a la
    tarde", "qué bacán, me guarda una"), unless a product's name holds its word."""
    rest = intents.after_opening(text, "exclaim")
    if rest == text:
        return text
    said = set(intents.normalised(text[: len(text) - len(rest)]).split())
    named = any(said & set(intents.normalised(p.name).split()) for p in turn.catalog.products)
    return text if named else rest


def _said_then_asked(turn: Turn, state: ChatState, text: str, latest: LatestOrder | None) -> Outcome | None:
    """A message that orders (or changes the cart) in its first sentences and closes asking ("y una
    coca. ah y el chicharrón ¿cuánto?", "ponme unas croquetas. ¿y el pulpo cuánto es?"): each part
    read as a message of its own, the order first, so the question never swallows the order (its
    products were priced and none added). A total asked ("2 tacos. ¿cuánto es?") is read whole: the
    order is added and the total shown."""
    split = questions.closing_questions(text)
    if split is None:
        return None
    said, asking = split
    if answers.asks_total(turn, asking) and state.cart and _edits(turn, state, said):
        # "make it 5 tacos, whats my total?": the line set at 5 (never 5 more), shown with its total
        first = _read_text(turn, state, said, latest)
        return first if _one_answer(first) else None
    ordered = read_order(said, turn.catalog)
    if answers.asks_total(turn, asking) or not (ordered.items or ordered.doubts):
        return None
    if intents.mentions(said, "price") is not None:  # "quiero saber el precio del flan. y 2 tacos?"
        return None
    return _both(turn, state, (said, asking), latest, asked_first=False)


_IN_ALL = re.compile(r"\b(?:en |in )?total\W*$")


def _whole_count(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "so 3 chili cheese dogs total", "que sean 4 corridas en total": a message that ends saying
    «total» and asks nothing gives the whole count of a cart line (set, never added on top); None
    when it is no such edit (then «total» asks what the cart comes to)."""
    folded = intents.normalised(text)
    if not state.cart or "?" in text or not _IN_ALL.search(folded) or not _IN_ALL.sub("", folded).strip():
        return None
    return set_on.set_on(turn, state, text) or editing.edit(turn, state, text)


def _edits(turn: Turn, state: ChatState, said: str) -> bool:
    """Whether the words change a line of the cart (set a count, swap, take off) rather than order."""
    return (set_on.set_on(turn, state, said) or editing.edit(turn, state, said)) is not None


def _said_then_noted(turn: Turn, state: ChatState, text: str, latest: LatestOrder | None) -> Outcome | None:
    """A message that orders and closes, in a sentence of its own, with a note for a line it names
    ("…and a horchata? no onions on the pastor please", "and a flan. no onions on the steak
    ones"): the order read first, then the note given to that line (`line_notes.note_on_line`),
    never to the last thing ordered."""
    spans = questions.sentence_spans(text)
    if len(spans) < 2:
        return None
    said, noted = text[: spans[-2][1]].strip(), text[spans[-1][0] : spans[-1][1]]
    ordered = read_order(said, turn.catalog)
    if not (ordered.items or ordered.doubts):
        return None
    first = _read_text(turn, state, said, latest)
    then = line_notes.note_on_line(turn, first.state, noted) if _one_answer(first) else None
    if then is None or not _one_answer(then):
        return None
    if first.state.asking:  # "Which one do you want for «cheese quesadilla»?" stays the last thing asked
        both = prefixed(replace(first, state=replace(first.state, notes=then.state.notes)),
                        said_before_cart(turn, then), then.named_back)  # fmt: skip
    else:
        both = prefixed(then, said_before_cart(turn, first), first.named_back)
    return replace(both, understood=True)


def _asked_then_said(turn: Turn, state: ChatState, text: str, latest: LatestOrder | None) -> Outcome | None:
    """A message that opens asking and then orders ("¿cuánto cuesta el alambre? y mándame 3 de
    pastor", "what time do u close? also 2 hot dogs"): the question answered as a message of its
    own, then the order read after its answer, so "¿tienen flan? dame 2" counts the flan."""
    split = questions.opening_question(text)
    if split is None or read_order(split[1], turn.catalog).empty:
        return None
    asked = intents.normalised(split[0]).split()
    if any(number(w) not in (None, 1) and amount_said(1, asked[at + 1] if at + 1 < len(asked) else "") is None
           for at, w in enumerate(asked)):  # fmt: skip  # ("the 2 liter coke? add one": a size, no count)
        return None  # "¿cuánto me sale 4 de bistec y 2 campechanos? y mándamelos": an order and its total
    return _both(turn, state, split, latest, asked_first=True)


def _both(
    turn: Turn, state: ChatState, parts: tuple[str, str], latest: LatestOrder | None, *, asked_first: bool
) -> Outcome | None:
    """The two parts of a message read one after the other, each as a message of its own, in one
    reply (the first's words before the second's reply); None when either part does more than
    answer once (places an order, asks a person). `asked_first`: the first part must only answer
    (understood, the cart as it was: "quiero 4 de asada? no, 4 de bistec" asks nothing), and the
    second may count what it priced."""
    said, asking = parts
    first = _read_text(turn, state, said, latest)
    if asked_first and not (first.understood and first.state.cart == state.cart and not first.state.asking):
        return None  # "ah no tienen? bueno, 2 de pierna": heard, not asked
    after = first.state if asked_first else replace(first.state, asked=())
    if asked_first and _one_answer(first) and _sold_out_then_count(turn, after, asking):
        return first  # "¿y el pay de queso? ponme uno": the pay just refused is the whole answer
    then = _read_text(turn, after, asking, latest) if _one_answer(first) else None
    if then is None or not _one_answer(then):
        return None
    understood = first.understood or then.understood
    if first.state.asking:  # "¿Cuál quieres para «tacos»?" stays the last thing asked
        both = prefixed(replace(first, state=then.state), said_before_cart(turn, then), then.named_back)
    else:
        both = prefixed(then, said_before_cart(turn, first), first.named_back)
    return replace(both, understood=understood)


def _sold_out_then_count(turn: Turn, state: ChatState, said: str) -> bool:
    """Whether `said` is a bare count ("ponme uno", "gimme 2") right after a sold-out product was
    refused (`ordering.add_items` left it the one talked about): the count is of it, already refused."""
    product = turn.catalog.product(state.last_sku) if state.last_sku else None
    if product is None or product.available or product.sku in state.cart_dict():
        return False
    reading = read_order(said, turn.catalog)
    return bool(reading.loose) and not (reading.items or reading.doubts or reading.unknown or reading.measured)


def _one_answer(outcome: Outcome) -> bool:
    """Whether the outcome only answers in one reply: no order placed or cancelled, no handoff
    (then a part of a message can stand before another part's reply)."""
    return len(outcome.replies) == 1 and outcome.draft is None and not outcome.handoff and outcome.cancel_order is None


def _it_counted(text: str, asked: tuple[str, ...]) -> str:
    """ "dale sumalo", "ok add it", "me lo llevo" right after a price or a description: the verb with
    its "it" is one of what was answered (`_of_asked` says which), or as many as the count after it."""
    phrase = intents.mentions(text, "add_it") if asked else None
    if phrase is None:
        return text
    said = intents.normalised(text)
    after = f" {said} ".split(f" {phrase} ", 1)[1].split()
    counted = bool(after) and number(after[0]) is not None  # "ponmelos 3": that many
    return f" {said} ".replace(f" {phrase} ", " " if counted else " 1 ", 1).strip()


_SOME = frozenset({"unos", "unas", "some"})
_CLAUSE_ENDS = frozenset({"y", "e", "and", "plus"})


def _some_counted(text: str, asked: tuple[str, ...]) -> str:
    """ "ok dame unas y un esquite mediano" right after the price of the papas preparadas: "unas"
    with nothing after it but the next clause is one of what was answered (`_of_asked` or
    `_of_other_asked` say which), not an article left without its noun."""
    if not asked:
        return text
    said = intents.normalised(text).split()
    fillers = lexicon().fillers
    for at, word in enumerate(said):
        opened = all(w in fillers for w in said[:at])  # "dame unas", "ok pues mandame unos"
        if word in _SOME and opened and (at + 1 == len(said) or said[at + 1] in _CLAUSE_ENDS):
            return " ".join([*said[:at], "1", *said[at + 1 :]])
    return text


_ASKED_UNITS = frozenset({
    "orden", "ordenes", "ordencita", "ordencitas", "caja", "cajas", "cajita", "cajitas", "porcion", "porciones",
    "racion", "raciones", "pieza", "piezas", "pza", "pzas", "plato", "platos", "paquete", "paquetes", "bolsa",
    "bolsas", "bolsita", "bolsitas", "sobre", "sobres", "frasco", "frascos", "unidad", "unidades",
    "order", "orders", "piece", "pieces", "box", "boxes", "bag", "bags", "pack", "packs", "serving", "servings",
    "portion", "portions", "esos", "esas", "ese", "esa", "estos", "estas", "those", "these", "them", "em",
})  # fmt: skip
"""Words that count what was just answered without naming it: "2 órdenes", "2 cajas", "one of
those", "2 bolsitas de esas"."""
_OF = frozenset({"de", "of"})


def _units_counted(turn: Turn, text: str, asked: tuple[str, ...]) -> tuple[str, int | None]:
    """ "va dame 2 órdenes", "deme 2 cajas", "ok 2 of those and fries" right after a price: (the
    message without that count, the count), a bare count of what was answered (`_of_asked` /
    `_of_other_asked`), never a product whose name holds the word (Curitas *caja*) nor a word not on
    the menu. A count word of the name of what was answered counts it too ("one dozen and a large
    coffee" after the Dozen bagels' price: one of them, never a dozen coffees). The count is taken
    out of the message, so the parts after it are never read as its shares ("dame 2 paquetes y un
    queso panela y un kilo de tortillas": 2 of the jamón, not 2 = 1 panela + 1 kilo)."""
    if not asked:
        return text, None
    products = _products_of(turn, asked)
    named = set.intersection(*(set(words_of(p.name)) for p in products)) if products else set()
    units = _ASKED_UNITS | {w for w in named if w in lexicon().quantities and w not in _ONE}
    said = [
        w for piece in _COMMAS.findall(text) for w in ([","] if piece == "," else intents.normalised(piece).split())
    ]
    for at, word in enumerate(said[:-1]):
        counted = 1 if word in _ONE else number(word)
        if counted is None:
            continue
        end = next((i for i in range(at + 1, len(said)) if _clause_ends(said, i)), len(said))
        run = said[at + 1 : end]
        fillers = lexicon().fillers
        if any(w in units for w in run) and all(w in units or w in _OF or w in fillers for w in run):
            return " ".join([*said[:at], *said[end:]]), counted
    return text, None


_COMMAS = re.compile(r",|[^\s,]+")
_ONE = frozenset({"un", "una", "uno", "one", "a", "an"})


def _clause_ends(said: list[str], at: int) -> bool:
    """Whether the clause of a count ends at `at`: "y", "and", "plus", or a comma before another
    count ("2 frascos, una leche"; not "2 órdenes, sin cebolla")."""
    if said[at] != ",":
        return said[at] in _CLAUSE_ENDS
    following = said[at + 1] if at + 1 < len(said) else ""
    return following in _ONE or following in _CLAUSE_ENDS or number(following) is not None


def _products_of(turn: Turn, skus: tuple[str, ...]) -> list[ProductView]:
    return [p for sku in dict.fromkeys(skus) if (p := turn.catalog.product(sku)) is not None]


_FIRST_WORD = re.compile(r"^\W*\w+")


def _after_yes(turn: Turn, text: str, reading: Reading, dozens: bool) -> Reading:
    """ "vale pues 2 y 2 chocolates", "simon 3 de pastor": a yes before the order, no comma after it,
    is no product (nor the owner of the count after it) when the rest reads with nothing unknown."""
    first = _FIRST_WORD.match(text)
    if not reading.unknown or first is None or not intents.is_exactly(first.group(0), "yes"):
        return reading
    after = read_order(text[first.end() :], turn.catalog, dozens=dozens)
    kept = len(after.items) + len(after.doubts) >= len(reading.items) + len(reading.doubts)
    return after if kept and not after.unknown and not after.empty else reading


def _of_asked(turn: Turn, reading: Reading, asked: tuple[str, ...]) -> Reading:
    """ "va uno" right after a price answer: of the product it gave, or asked which of those it gave
    (before what was ordered earlier: the customer is answering the prices)."""
    products = _products_of(turn, asked)
    if len(products) == 1:
        items = tuple(Item(products[0], quantity, reading.loose_note(at), str(quantity))
                      for at, quantity in enumerate(reading.loose))  # fmt: skip
        return replace(reading, loose=(), loose_notes=(), items=items)
    if not products:
        return reading
    shared = [w for w in words_of(products[0].name) if all(w in words_of(p.name) for p in products[1:])]
    said = " ".join(shared) or products[0].name
    doubts = tuple(Doubt(tuple(products[:3]), quantity, said, reading.loose_note(at))
                   for at, quantity in enumerate(reading.loose))  # fmt: skip
    return replace(reading, loose=(), loose_notes=(), doubts=doubts)


def _of_other_asked(turn: Turn, reading: Reading, asked: tuple[str, ...]) -> Reading:
    """ "2 y 2 de niño" after the prices of the comida corrida and the child's meal: the bare count
    said first is of the one product asked about that the message does not name itself. Left
    loose when that is not exactly one product (then it is asked about, never guessed)."""
    named = {item.product.sku for item in reading.items}
    others = [p for sku in dict.fromkeys(asked) if sku not in named and (p := turn.catalog.product(sku)) is not None]
    if len(others) != 1:
        return reading
    quantity = reading.loose[0]
    item = Item(others[0], quantity, reading.loose_note(0), str(quantity))
    return replace(reading, loose=(), loose_notes=(), items=(item, *reading.items))


_KEYWORD_ACTIONS = {"greet": "greet", "more": "more", "no": "cart"}


def _act(turn: Turn, state: ChatState, action: str, latest: LatestOrder | None) -> Outcome:
    """Carry out a checked action id (from a button, a row, a keyword or a typed choice)."""
    t = turn.texts
    kind, _, arg = action.partition(":")
    simple = {
        "menu": lambda: menus.show_menu(turn, state),
        "more": lambda: menus.next_page(turn, state),
        "cart": lambda: checkout.show_cart(turn, state),
        "empty": lambda: checkout.empty_cart(turn, state),
        "checkout": lambda: checkout.start_checkout(turn, state),
        "confirm": lambda: checkout.confirm(turn, state),
        "cancel": lambda: checkout.cancel(turn, state),
        "usename": lambda: checkout.start_checkout(turn, state),
        "status": lambda: done(state, home_reply(turn, state, _status_text(turn, latest))),
        "help": lambda: done(state, home_reply(turn, state, t("help", example=turn.example()))),
        "greet": lambda: done(state, home_reply(turn, state, _greeting(turn))),
    }
    if action in simple:
        return simple[action]()
    if kind == "cat" and _whole(arg) is not None:
        return menus.show_products(turn, state, int(arg), 0)
    if kind == "page":
        category, _, page = arg.partition(":")
        if _whole(category) is not None and _whole(page) is not None:
            return menus.show_products(turn, state, int(category), int(page))
    if kind == "prod" and arg:
        return menus.ask_quantity(turn, state, arg)
    if kind == "qty" and state.stage == "quantity":
        return menus.add_quantity(turn, state, _whole(arg))
    if kind == "set" and state.stage == "edit":
        return checkout.set_quantity(turn, state, _whole(arg))
    if kind == "line" and arg:
        return checkout.edit_line(turn, state, arg)
    if kind == "rm" and arg:
        return checkout.remove(turn, state, arg)
    # A stale or forged id (an old list tapped after the stage moved on): say what we can do.
    return puzzled(turn, state)


def _whole(text: str) -> int | None:
    """`text` as a whole number written in ASCII digits, or None.

    str.isdigit() also accepts "²" or "٣", which int() refuses: a typed superscript or a forged
    reply id (the sandbox chat lets a client send any) must get an answer, not crash the turn.
    """
    return int(text) if text.isascii() and text.isdigit() else None


def _status_text(turn: Turn, latest: LatestOrder | None) -> str:
    if latest is None:
        return turn.texts("no_orders")
    status = turn.texts.status(latest.status)
    return turn.texts("status", number=latest.number, status=status, total=turn.money(latest.total))


def _greeting(turn: Turn) -> str:
    return turn.texts("greeting", business=turn.tenant.business_name, example=turn.example())


def _with_hours_notice(turn: Turn, outcome: Outcome) -> Outcome:
    """End the first reply of a conversation with "we are closed, we open at…" or the pause."""
    notice = hours.opening_notice(turn)
    first = outcome.replies[0]
    body = first.body + "\n\n" + notice if notice else ""
    if not notice or notice in first.body or len(body) > (MAX_INTERACTIVE_BODY if first.interactive else MAX_TEXT_BODY):
        return outcome
    return replace(outcome, replies=(replace(first, body=body), *outcome.replies[1:]))


def _with_opening(turn: Turn, state: ChatState, outcome: Outcome) -> Outcome:
    """Put the welcome (or "your conversation expired") before the first reply of a conversation."""
    t = turn.texts
    first = outcome.replies[0]
    welcome = t("welcome", business=turn.tenant.business_name)
    greeting = _greeting(turn)
    parts = [t("expired")] if state.notice == "expired" else []
    if not state.greeted and not first.body.startswith((welcome, greeting[:20])):
        parts.append(welcome)
    body = "\n".join(parts) + "\n\n" + first.body
    if not parts or len(body) > (MAX_INTERACTIVE_BODY if first.interactive else MAX_TEXT_BODY):
        return outcome
    return replace(outcome, replies=(replace(first, body=body), *outcome.replies[1:]))
