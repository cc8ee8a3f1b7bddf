"""Questions about the business and the menu, answered instead of searched as products.

A message that asks (a question mark, or a question word first) about opening hours, delivery
(its fee, its zones, how long it takes), the minimum order or payment is answered from the
tenant's rules; "mándame el menú" shows the whole menu, "¿qué postres tienen?" a category, "¿qué
lleva el volcán?" a product's description (and remembers it, so "ok dame 2" orders it) and "¿qué
llevo?" the cart. The topics' words are data (`lexicon.toml` [questions]). A question after an
order in the same message ("2 de bistec y una coca. ¿cuánto tardan?") is answered and the order
read; an order said as a question ("can i get 2 bagels…", "¿me manda 2 comidas corridas?": the
[intents] `request` phrases) asks nothing, and a question first with an order after it ("¿cuánto
cuesta el alambre? y mándame 3 de pastor": `opening_question`) is answered and the order read. The
tenant's own FAQ answers first (flow.py), so a tenant can say it their way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Literal

from babel.dates import format_time, get_day_names

from comandia.server.chat import fulfilment, intents, menus, ordering
from comandia.server.chat.answers import asks, asks_total, ordered_before, products_asked
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import LatestOrder, ProductView, text_reply
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.state import MAX_ASKED, ChatState
from comandia.server.chat.synonyms import every_kind_word, kind_words
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, cart_lines, done, home_reply
from comandia.shared.domain.names import match_key

_SENTENCES = re.compile(r"(?<=[.!?\n])\s*")
_TRAILING_QUESTION = re.compile(
    r"(?:\s*,\s*|\s+)(?=(?:y\s+|and\s+)?(?:en\s+|a\s+)?(?:cu[aá]nt[oa]s?|cu[aá]ndo|qu[eé]\s+hora|how\s+long|how\s+soon|"
    r"when|what\s+time)\b)",
    re.IGNORECASE,
)
"""Where a question said after an order without a full stop begins ("un pollo entero, en cuánto
llega?", "3 de suadero y una horchata cuánto tardan")."""
_WHICH = frozenset({"que", "cuales", "cual", "what", "which", "tienen", "hay", "have", "manejan", "venden"})
_BE = re.compile(r"\bque (?:(?:el|la|los|las|mi|mis|su|sus) \w+ )?(?:sea|sean|venga|vengan|vaya|vayan|salga|salgan)\b")
"""'que sea(n)' says what a line should be ("que sean 2 birras"), 'que (la pizza) venga(n)' how it
should come ("que la pizza venga bien cocida"): a change or a note, not a question with «qué»."""
_ASKING = _WHICH | {"tenes", "teneis", "tiene", "tienes", "do", "you", "got", "sell", "kind", "kinds", "of", "any"}
"""Words of a category question that name nothing ("what kind of sides do you have")."""
_RULE_TOPICS = ("minimum", "eta", "payment", "hours", "delivery")
_PLACE = re.compile(
    r"^.*\b(?:a|al|en|hasta|para|por|to|in)\s+(?:(?:la|el|los|las|colonia|col|barrio|zona|the)\.?\s+)*"
    r"(?P<place>[^?¿!.,;\s][^?¿!.,;]*?)[\s?¿!.,;]*$",
    re.IGNORECASE,
)
"""A delivery question ending in a place: the words after its last "a"/"en"/"to" (the last: "a
domicilio en Coyoacán"), past an article or "colonia"."""


def answer(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """The answer to a question about the business or the menu, or None when the message is not one."""
    language = _language_asked(text)
    if language is not None:
        return _in_language(turn, state, language)
    sentences = _sentences(text)
    asked = [s for s in sentences if s.strip() and _asks(s)]
    for sentence in asked:
        said = _rules_answer(turn, state, sentence)
        if said is not None:
            rest = " ".join(s for s in sentences if s not in asked)
            named: tuple[str, ...] = ()
            for other in asked:  # "¿a qué hora abren? ¿y tienen jugo de guayaba?": both answered
                if other is not sentence and _rules_answer(turn, state, other) is None:
                    state, lines, named_here = products_asked(turn, state, other)
                    said, named = "\n".join([said, *lines]), (*named, *named_here)
            outcome = _with_order(turn, state, rest, said)
            return replace(outcome, named_back=(*outcome.named_back, *named))
    # nothing ordered after its question mark ("q rollos tienen" has none: all of it asks)
    whole = _asks(text) and ("?" not in text or not text[text.rfind("?") + 1 :].strip(" ?¿!.,"))
    whole = whole and not _BE.search(intents.normalised(text))  # "no, que sean 2 birras" sets, never asks
    if intents.mentions(text, "ask_cart") and whole:
        return done(replace(state, stage="cart"), cart_buttons_reply(turn, state))
    asks_describe = whole and not asks_total(turn, text)  # "and a water. whats the total?": no «what's X»
    described = (_described(turn, state, text, "ask_describe") or _described(turn, state, text, "ask_available")
                 or _described(turn, state, text, "ask_contains") or _quality(turn, state, text)
                 if asks_describe else None)  # fmt: skip
    if described is not None:
        return described
    category = _category(turn, text) if whole else None
    of_kind = _of_kind(turn, state, text, category) if whole else None
    if of_kind is not None:
        return of_kind
    if category is not None:
        return menus.show_products(turn, state, category, 0)
    return _menu(turn, state, text)


def _sentences(text: str) -> list[str]:
    """The message's sentences, a question that follows an order in the same sentence apart."""
    found: list[str] = []
    for sentence in _SENTENCES.split(text):
        cut = _TRAILING_QUESTION.search(sentence)
        if cut is not None and cut.start() > 0 and _asks(sentence[cut.end() :]):
            found += [sentence[: cut.start()], sentence[cut.end() :]]
        else:
            found.append(sentence)
    return found


_SENTENCE_ENDS = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*")
"""Where one sentence of a message ends and the next begins: a full stop, "!" or "?" and a space
("1.5 litros" is one word), or a new line."""


def sentences_of(text: str) -> list[str]:
    """The message's sentences as written, each with its own marks ("and a flan. no onions on the
    steak ones" -> "and a flan.", "no onions on the steak ones")."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each of `sentences_of` is in `text`: a part cut at a sentence's end is `text` up to
    there, with its line breaks, so a list's lines stay apart ("sin piña⏎3 de suadero" is never one
    note)."""
    spans, start = [], 0
    for end in _SENTENCE_ENDS.finditer(text):
        spans.append((start, end.start()))
        start = end.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip(" .,;!¡?¿")]


def closing_questions(text: str) -> tuple[str, str] | None:
    """(the sentences said first, the questions that close the message) when a message says
    something in sentences of its own and then asks ("y una coca. ah y el chicharrón ¿cuánto?",
    "ponme unas croquetas. ¿y el pulpo cuánto es?"): two things, each read as a message of its own,
    so the question does not swallow the order beside it. None when it does not end asking, or
    asks all along."""
    spans = sentence_spans(text)
    at = len(spans)
    while at > 0 and _asks(text[spans[at - 1][0] : spans[at - 1][1]]):
        at -= 1
    if at < len(spans):  # "swap the OJ for an iced coffee, and how much is the club?": one sentence
        start, end = spans[at]
        comma = _asked_after_comma(text[start:end])
        if comma is not None:
            return (text[:start] + comma[0]).strip(), (comma[1] + " " + text[end:]).strip()
    if at in (0, len(spans)):
        return None
    return text[: spans[at - 1][1]].strip(), text[spans[at][0] :].strip()


def opening_question(text: str) -> tuple[str, str] | None:
    """(the question the message opens with, what it says after it) when a message asks up to a
    question mark and then says something that asks nothing ("¿cuánto cuesta el alambre? y
    mándame 3 de pastor"), not said in case ("¿tienen arepas? si no, una hamburguesa"). None
    otherwise."""
    before, mark, said = text.partition("?")
    asking = before + mark
    words = intents.normalised(said).split()
    if not mark or not words or not _asks(asking) or _asks(said):
        return None
    while words and words[0] in ("y", "e", "and", "also", "tambien", "ah", "oh"):
        words = words[1:]
    opening = " ".join(words[:3])
    if any(opening == p or opening.startswith(p + " ") for p in lexicon().intent_phrases("in_case")):
        return None
    return asking, said


_COMMA_THEN = re.compile(r"\s*[,;]\s*(?:(?:y|e|and)\s+)?", re.IGNORECASE)


def _asked_after_comma(sentence: str) -> tuple[str, str] | None:
    """(what is said, what is asked) when one asking sentence first says something that asks
    nothing and, after a comma, asks ("cámbiame la coca por un boing, y ¿cuánto es la torta?")."""
    for cut in reversed(list(_COMMA_THEN.finditer(sentence))):  # ("va, 2 de vainilla, y ¿cuánto…?")
        said, asking = sentence[: cut.start()], sentence[cut.end() :]
        if said.strip() and asking.strip() and _asks(asking) and not _asks(said):
            return said, asking
    return None


def about_my_order(text: str) -> bool:
    """Whether the message asks when or how the order already placed comes ("¿a qué hora llega mi
    pedido?", "where is my order"): its status and time, not the opening hours."""
    return intents.mentions(text, "ask_my_order") is not None and intents.mentions(text, "ask_arrival") is not None


def order_eta(turn: Turn, state: ChatState, latest: LatestOrder | None) -> Outcome:
    """The customer's latest order's status and the usual time; before any order, the usual time."""
    t, rules = turn.texts, turn.tenant.rules
    minutes = rules.eta_minutes or next((z.eta_minutes for z in rules.delivery_zones if z.eta_minutes), None)
    if latest is None:
        said = t("ask.eta", minutes=minutes) if minutes else t("ask.eta_unknown")
    else:
        status = t.status(latest.status)
        coming = minutes and latest.status in ("new", "confirmed", "shipped")
        said = t("ask.order_eta" if coming else "ask.order_eta_unknown", number=latest.number, status=status,
                 minutes=minutes)  # fmt: skip
        if latest.status in ("completed", "cancelled"):
            said = t("status", number=latest.number, status=status, total=turn.money(latest.total))
    reply = cart_buttons_reply(turn, state, said) if state.cart else home_reply(turn, state, said)
    return done(state, reply)


def _asks(sentence: str) -> bool:
    """A question, also when it opens with a filler or "a" ("a q hora cierran", "oye cuánto tardan");
    never an order said as one ("can i get 2 bagels…", "¿me manda 2 comidas corridas?")."""
    if _requests(sentence):
        return False
    if asks(sentence):
        return True
    said = f" {intents.normalised(sentence)}"
    if any(said.endswith(f" {phrase}") for phrase in lexicon().intent_phrases("ask_describe")):
        return True  # "y el doriesquite que es": the question word last, no question mark
    words = said.split()
    fillers = lexicon().fillers
    while words and (words[0] in fillers or words[0] in ("a", "y", "and")):
        words = words[1:]  # one at a time: «que» is a filler too ("oye q es una gringa" asks)
        if asks(" ".join(words)):
            return True
    return False


def _requests(sentence: str) -> bool:
    """Whether the sentence orders in the form of a question ("hey can i get 2 bagels and a large
    coffee", "buenas, ¿me manda 2 comidas corridas y una gelatina?"): past greetings and fillers it
    opens with a request (lexicon.toml [intents] request) and what follows asks nothing: no price,
    total, business topic or menu question ("me pasas el menú?", "can i get delivery to Roma?" ask)."""
    words = intents.normalised(sentence).split()
    lex = lexicon()
    for at in range(len(words)):
        phrase = next((p for p in lex.intent_phrases("request") if words[at : at + len(p.split())] == p.split()), None)
        if phrase is not None:
            rest = " ".join(words[at + len(phrase.split()) :])
            return bool(rest) and not _asks(rest) and not _asks_about(rest)
        if words[at] not in lex.fillers:
            return False
    return False


def _asks_about(words: str) -> bool:
    """Whether the (folded) words hold what a question asks about: a price or the total, a topic of
    the business's rules, the menu, a product's description or the cart."""
    lex = lexicon()
    said = set(words.split())
    if any(said & set(lex.intent_phrases(f"ask_{topic}")) for topic in (*_RULE_TOPICS, "eta_how")):
        return True
    asking = ("total", "price", "ask_menu", "ask_describe", "ask_available", "ask_cart")
    return any(intents.mentions(words, intent) is not None for intent in asking)


def _language_asked(text: str) -> str | None:
    """ "en" or "es" when the message only asks to talk in that language ("sorry, do you speak
    english?", "¿hablan inglés?"), else None."""
    lex = lexicon()
    words = intents.normalised(text).split()
    asking = set(lex.intent_phrases("ask_language_asking")) | lex.fillers
    for language in ("english", "spanish"):
        named = set(lex.intent_phrases(f"ask_language_{language}"))
        if named & set(words) and all(w in asking or w in named for w in words):
            return "en" if language == "english" else "es"
    return None


def _in_language(turn: Turn, state: ChatState, language: str) -> Outcome:
    """The conversation goes on in `language`: said so in it, with an example to order."""
    state = replace(state, language=language)
    spoken: Literal["es", "en"] = "en" if language == "en" else "es"
    turn = Turn.of(replace(turn.tenant, locale=spoken), turn.catalog, turn.customer, turn.now)
    said = turn.texts("ask.language", example=turn.example())
    return done(state, cart_buttons_reply(turn, state, said) if state.cart else home_reply(turn, state, said))


def _rules_answer(turn: Turn, state: ChatState, sentence: str) -> str | None:
    words = set(intents.normalised(sentence).split())
    topic = next((t for t in _RULE_TOPICS if words & set(lexicon().intent_phrases(f"ask_{t}"))), None)
    if words & set(lexicon().intent_phrases("ask_eta_how")) and words & set(lexicon().intent_phrases("ask_eta_arrive")):
        topic = "eta"  # "¿en cuánto llega?": the usual time, not the delivery zones
    if topic is None or read_order(sentence, turn.catalog).items:
        return None  # "¿tiene pay de queso?" names a product: the price questions answer it
    rules, t = turn.tenant.rules, turn.texts
    if topic == "hours":
        return _hours(turn)
    if topic == "minimum":
        return t("ask.minimum", minimum=turn.money(rules.minimum_order)) if rules.minimum_order else t("ask.no_minimum")
    if topic == "payment":
        if not rules.payment_methods:
            return t("ask.payment_any")
        return t("ask.payment", methods=", ".join(t(f"pay.{m.kind}") for m in rules.payment_methods))
    if topic == "eta":
        minutes = rules.eta_minutes or next((z.eta_minutes for z in rules.delivery_zones if z.eta_minutes), None)
        return t("ask.eta", minutes=minutes) if minutes else t("ask.eta_unknown")
    said = _delivery(turn, sentence, words)
    if state.cart and intents.mentions(sentence, "total") is not None and rules.fulfilment != "pickup":
        with_fee = cart_lines(turn, state)[1] + fulfilment.fee(turn, state)  # "¿cuánto sería todo con envío?"
        said += "\n" + t("ask.total_with_delivery", total=turn.money(with_fee))
    return said


def _delivery(turn: Turn, sentence: str, words: set[str]) -> str:
    rules, t = turn.tenant.rules, turn.texts
    if rules.fulfilment == "pickup":
        return t("ask.pickup_only", address=rules.pickup_address or "—")
    folded = f" {intents.normalised(sentence)} "
    for zone in rules.delivery_zones:
        if any(f" {intents.normalised(place)} " in folded for place in (zone.name, *zone.cities)):
            return t("ask.zone_yes", place=zone.name, fee=turn.money(zone.fee))
    if rules.delivery_zones:
        zones = ", ".join(f"{z.name} ({turn.money(z.fee)})" for z in rules.delivery_zones)
        place = _place_named(sentence)
        return t("ask.zone_no", place=place, zones=zones) if place else t("ask.zones", zones=zones)
    fee = turn.tenant.delivery_fee
    return t("ask.delivery_fee", fee=turn.money(fee)) if fee else t("ask.delivery_free")


def _place_named(sentence: str) -> str | None:
    """The place a delivery question names, as the customer wrote it ("¿llegan a la colonia
    Roma?" -> "Roma"), or None when it names none ("¿hacen envíos a domicilio?")."""
    found = _PLACE.match(sentence.strip())
    if found is None:
        return None
    place = found.group("place").strip()
    words = intents.normalised(place).split()
    lex = lexicon()
    asking = {w for topic in _RULE_TOPICS for w in lex.intent_phrases(f"ask_{topic}")}
    named = [w for w in words if w not in lex.fillers and w not in asking and not w.isdigit()]
    return place if named and len(words) <= 4 else None


def _hours(turn: Turn) -> str:
    """The week's hours, days with the same hours together ("lunes a domingo: 10:00–19:00")."""
    t, hours = turn.texts, turn.tenant.rules.opening_hours
    if hours is None:
        return t("ask.hours_always")
    names = get_day_names("wide", locale="en_US" if turn.tenant.locale == "en" else "es_MX")
    runs: list[tuple[int, int, str]] = []
    for day in range(7):
        ranges = hours.day(day)
        said = ", ".join(f"{_time(turn, a)}–{_time(turn, b)}" for a, b in ranges) if ranges else t("ask.closed_day")
        if runs and runs[-1][2] == said:
            runs[-1] = (runs[-1][0], day, said)
        else:
            runs.append((day, day, said))
    lines = [
        (names[a] if a == b else t("ask.day_range", first=names[a], last=names[b])) + f": {said}" for a, b, said in runs
    ]
    return t("ask.hours", hours="\n".join(lines))


def _time(turn: Turn, hhmm: str) -> str:
    """ "18:00" as the conversation reads it: "18:00" in Spanish, "6:00 PM" in English."""
    if turn.tenant.locale != "en" or hhmm == "24:00":
        return hhmm
    return format_time(dt.time(int(hhmm[:2]), int(hhmm[3:])), "h:mm a", locale="en_US")


def _with_order(turn: Turn, state: ChatState, rest: str, said: str) -> Outcome:
    reading = read_order(rest, turn.catalog) if rest.strip(" ,.!") else None
    if reading is None or reading.empty:
        reply = cart_buttons_reply(turn, state, said) if state.cart else home_reply(turn, state, said)
        return done(state, reply)
    return ordering.apply_reading(turn, state, reading, said)


_AUXILIARIES = frozenset({"does", "do", "did", "is", "are"})
"""The words an English question opens with before the product ("does the combo come with fries?")."""


def _doubts_in_cart(state: ChatState, reading: Reading) -> Reading:
    """`reading` with each doubt that one line of the cart settles as that line's product: a
    question about "las de carne" is about the empanadas de carne ordered, not the picantes."""
    carted = {sku for sku, _ in state.cart}
    items, doubts = list(reading.items), []
    for doubt in reading.doubts:
        fits = [p for p in doubt.candidates if p.sku in carted]
        if len(fits) == 1:
            items.append(Item(product=fits[0], quantity=1))
        else:
            doubts.append(doubt)
    return replace(reading, items=tuple(items), doubts=tuple(doubts))


def _described(turn: Turn, state: ChatState, text: str, intent: str) -> Outcome | None:
    """ "¿qué lleva el volcán?", "oiga, ¿tienen aguachile?": the products named surely, with their
    price and description, not added; the last one is remembered for "ok, dame 2"."""
    phrase = intents.mentions(text, intent)
    if phrase is None:
        return None
    # "¿hay pan dulce?" asks for pan dulce, not for a Pan Bimbo that is «dulce»: no options
    tail = lexicon().intent_phrases("ask_describe_tail")  # "how many people does the family pack feed"
    after = [w for w in intents.rest_after(text, phrase).split() if w not in tail]
    reading = read_order(" ".join(after), turn.catalog, options=False)
    if intent == "ask_contains":  # "¿la gringa trae queso?": the product is before, what it has after
        if {"y", "e", "and"} & set(intents.rest_before(text, phrase).split()):
            return None  # "una torta y ¿trae papas?": an order, then a question
        reading = replace(reading, items=(), doubts=())
    named_first = not (reading.items or reading.doubts) and intent in ("ask_describe", "ask_contains")
    if named_first:  # "y el oaxaqueño, ¿de qué es?": the product before the question, not ordered
        before = [w for w in intents.rest_before(text, phrase).split() if w not in _AUXILIARIES]
        reading = read_order(" ".join(before), turn.catalog, options=False)
        if intent == "ask_contains":  # "¿las de carne son picantes?" of the carne in the cart, not the picante
            reading = _doubts_in_cart(state, reading)
    if any(i.quantity > 1 for i in reading.items):
        return None  # "¿me da lo que es 3 de pastor?": an order said with "lo que es", not a question
    if not reading.items or reading.doubts or reading.unknown or not all(i.product.available for i in reading.items):
        return None  # an unavailable product: answers.py says so and offers others
    ordered = None if named_first else ordered_before(turn, text, phrase)
    return _shown(turn, state, [i.product for i in reading.items], ordered)


def _shown(turn: Turn, state: ChatState, products: list[ProductView], ordered: Reading | None) -> Outcome:
    """The products asked about with their price and description, not added (what `ordered` says
    was ordered before the question is)."""
    t = turn.texts
    lines = [
        t("price_line", name=p.name, price=turn.money(p.price)) + (f"\n{p.description}" if p.description else "")
        for p in products
    ]
    # remembered as a price answer's products are: "ok, dame 2", "3 of those", "¿y el de queso?"
    state = replace(state, last_sku=products[-1].sku, asked=tuple(p.sku for p in products)[-MAX_ASKED:])
    body = "\n\n".join(lines)
    if ordered is not None:  # "una panela, y ¿tienen crema?": the cheese added, the question answered
        return ordering.apply_reading(turn, state, ordered, body)
    return done(state, cart_buttons_reply(turn, state, body) if state.cart else home_reply(turn, state, body))


_INTENSIFIERS = frozenset({"bien", "muy", "tan", "super", "re", "very", "really", "so", "nice", "and"})
"""Words before the quality asked about ("¿está bien fría?", "is it really fresh"): they name nothing."""
_AFTER_QUALITY = frozenset({"hoy", "today", "verdad", "right", "o", "no", "or", "not", "still", "todavia", "aun",
                            "ahorita", "ahora", "now", "porfa", "please", "pls", "tho", "cierto"})  # fmt: skip
"""Words that may close such a question without naming anything ("are the muffins fresh today?")."""


def _quality(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "is the OJ fresh?", "¿la horchata está fría?", "¿está fresco el pulpo?": a yes/no question
    about how one product is (lexicon.toml [questions] quality): shown, never ordered, also where
    its name holds the word (the Fresh lemonade of "is the lemonade fresh?")."""
    named = _named_by_quality(intents.normalised(text).split())
    if not named:
        return None
    reading = read_order(" ".join(named), turn.catalog, options=False)
    if len(reading.items) != 1 or reading.doubts or reading.unknown or reading.items[0].quantity > 1:
        return None
    product = reading.items[0].product
    return _shown(turn, state, [product], None) if product.available else None


def _named_by_quality(words: list[str]) -> list[str]:
    """The words that name the product of a quality question: those before a copula and the
    quality that closes the question ("la horchata | esta fria"), between an opening "is"/"are" and
    the quality ("is | the OJ | fresh"), or after a copula and quality that open it ("esta fresco
    | el pulpo"). Empty when the words are not such a question."""
    lex = lexicon()
    qualities, copulas = lex.intent_phrases("ask_quality"), set(lex.intent_phrases("ask_quality_copula"))
    opening = next((q for q in qualities if words[1 : 1 + len(q.split())] == q.split()), None) if words else None
    if words and words[0] in copulas and opening is not None:
        return words[1 + len(opening.split()) :]
    end = len(words)
    while end > 0 and words[end - 1] in _AFTER_QUALITY:
        end -= 1
    for cut in range(end, len(words) + 1):  # "de hoy" closes with a word that may also trail ("hoy")
        closing = next((q for q in qualities if words[max(cut - len(q.split()), 0) : cut] == q.split()), None)
        if closing is None:
            continue
        before = words[: cut - len(closing.split())]
        while before and before[-1] in _INTENSIFIERS:
            before = before[:-1]
        if len(before) > 1 and before[-1] in copulas:
            return before[:-1]
        if len(before) > 1 and before[0] in copulas & _AUXILIARIES:  # "is the OJ fresh"
            return before[1:]
    return []


def _category(turn: Turn, text: str) -> int | None:
    """The category a question names ("¿qué postres tienen?", "what drinks do you have")."""
    said = intents.normalised(text).split()
    if not _WHICH & set(said):
        return None
    for cid, name, _ in menus.groups(turn):
        every = {_singular(w) for w in intents.normalised(name).split()}
        if {w for w in every if len(w) > 3} & {_singular(w) for w in said}:
            rest = read_order(" ".join(w for w in said if _singular(w) not in every and w not in _ASKING), turn.catalog)
            return None if rest.items or rest.doubts or rest.unknown else cid  # "me das dos hot dogs" orders
    return None


MAX_KIND_LINES = 20
"""A kind's products listed at most (a WhatsApp message stays readable); the menu has the rest."""


def _of_kind(turn: Turn, state: ChatState, text: str, category: int | None) -> Outcome | None:
    """ "¿qué tienen de bebidas?", "¿qué hay de tomar?" on a menu whose drinks are in several
    categories (Refrescos, Agua, Cerveza; Café and Bebidas): every available product of that kind
    with its price, not three to pick from. None when they are all in `category`, the one the
    question named: that category's own list answers."""
    drinking = intents.mentions(text, "ask_drinks")
    said = (intents.without(text, "ask_drinks") if drinking else intents.normalised(text)).split()
    if not _WHICH & set(said):
        return None
    kinds = every_kind_word()
    asked = next((w for w in said if match_key(w) in kinds or match_key(_singular(w)) in kinds), None)
    if asked is None and drinking is not None:
        asked = turn.texts("drinks_kind")
    if asked is None:
        return None
    keys = {match_key(asked), match_key(_singular(asked))}
    rest = read_order(" ".join(w for w in said if w != asked and w not in _ASKING), turn.catalog)
    if rest.items or rest.doubts or rest.unknown:
        return None
    found = [p for _, name, products in menus.groups(turn) for p in products
             if keys & {match_key(k) for k in kind_words(p.name, name)}]  # fmt: skip
    if not found or (category is not None and all(p.category_id == category for p in found)):
        return None
    t = turn.texts
    lines = [t("products_body", category=asked.capitalize())]
    lines += [t("price_line", name=p.name, price=turn.money(p.price)) for p in found[:MAX_KIND_LINES]]
    if len(found) > MAX_KIND_LINES:
        lines.append(t("more_description"))
    body = "\n".join(lines)
    return done(state, cart_buttons_reply(turn, state, body) if state.cart else home_reply(turn, state, body))


def _singular(word: str) -> str:
    return word[:-2] if word.endswith("es") and len(word) > 5 else word[:-1] if word.endswith("s") else word


def _menu(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "mándame el menú", "¿me pasas la carta?": every product with its price, then the categories."""
    phrase = intents.mentions(text, "ask_menu")
    if phrase is None:
        return None
    rest = read_order(intents.without(text, "ask_menu"), turn.catalog)
    if rest.items or rest.doubts:
        return None
    lines = []
    for _, name, products in menus.groups(turn):
        lines.append(f"*{name}*")
        lines += [turn.texts("price_line", name=p.name, price=turn.money(p.price)) for p in products]
    shown = menus.show_menu(turn, state)
    named = tuple(rest.unknown)
    said = "\n".join(lines) + "".join(f"\n\n{turn.texts('not_on_menu', text=w)}" for w in named)
    return replace(shown, replies=(text_reply(said[:4000]), *shown.replies), named_back=(*shown.named_back, *named))
