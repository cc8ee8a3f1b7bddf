"""Questions answered, not searched as products: the tenant's FAQ, prices, "¿hay …?" and the total.

A FAQ entry (settings key `faq`: question and answer) answers a message that asks something and
shares most of its meaningful words with the entry (compared by phonetic key, so "tarjeta" and
"targeta" agree); several entries answer a message that asks several things. A price question
("¿a cómo está la hamburguesa?", "how much is the brisket sandwich") lists the prices of what it
names; "¿hay horchata?" says yes with the price without adding it; "¿cuánto sería todo?" shows
the cart with its total. Whatever they name that is not on the menu is named back.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz

from comandia.server.chat import intents, ordering
from comandia.server.chat.lexicon import lexicon, number
from comandia.server.chat.matching import SURE, key
from comandia.server.chat.model import ProductView
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.restating import restates
from comandia.server.chat.state import MAX_ASKED, ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done, home_reply
from comandia.server.chat.verdicts import explains

_QUESTION_WORDS = frozenset(
    [
        "que",
        "cual",
        "cuales",
        "cuanto",
        "cuanta",
        "cuantos",
        "cuantas",
        "como",
        "donde",
        "cuando",
        "quien",
        "hora",
        "horas",
        "hay",
        "what",
        "whats",
        "wat",
        "wats",
        "which",
        "how",
        "where",
        "when",
        "who",
        "is",
        "are",
        "do",
        "does",
        "can",
        "much",
        "many",
    ]
)
_ASKING = frozenset(
    [
        "tienen",
        "tienes",
        "tenes",
        "teneis",
        "hay",
        "aceptan",
        "hacen",
        "llevan",
        "manejan",
        "abren",
        "cierran",
        "do",
        "does",
        "can",
        "is",
        "are",
    ]
)
_FAQ_SHARE = 0.33
"""Of a question's meaningful words, the share an entry (question or answer) must hold, one of
them in its question: "¿cuánto se tardan en llegar a Cumbres?" finds "¿Cuánto tardan en entregar?"."""
_FAQ_IGNORED = _QUESTION_WORDS | frozenset(
    ["los", "las", "del", "una", "uno", "unos", "unas", "con", "para", "por", "que", "the", "and", "you", "for",
     "with", "your", "our", "hola", "buenas", "porfa", "favor", "please", "gracias", "oye", "este", "esta",
     "tienen", "tienes", "tiene", "tenes", "teneis", "hay", "have", "has", "can"]
)  # fmt: skip
_PRICE_WORDS = frozenset({"cuanto", "cuanta", "cuantos", "cuantas", "precio", "precios", "cuesta", "cuestan", "vale",
                          "valen", "como", "price", "cost", "costs", "estan", "esta", "sale", "salen", "valor",
                          "much"})  # fmt: skip
"""A question with one of these words asks a price ("y la concha, ¿cuánto?"), once "a cómo" and the
other phrases of lexicon.toml [intents] price were not found."""
_TOTAL_WORDS = frozenset({"total", "todo", "junto", "everything", "altogether"})
_ONLY_TOTAL = frozenset({"cuanto es", "cuanto seria", "cuanto le debo", "cuanto te debo", "cuanto va", "cuanto queda",
                         "how much do i owe", "how much is that", "how much would that be", "how much will that be",
                         "how much is all that"})  # fmt: skip
"""Total phrases that never ask a product's price, even with no "todo" ("¿cuánto le debo?")."""
_CLAUSES = re.compile(r"\s+(?:y|and|o|or|tambien|also)\s+")
_AVAILABILITY = ("hay", "tienen", "tienes", "tenes", "teneis", "tendran", "manejan", "do you have", "have you got",
                 "do you sell", "venden", "you guys have", "you guys got", "do u have", "y all got", "yall got",
                 "you got", "u got")  # fmt: skip


_FOLLOW_ARTICLES = frozenset({"el", "la", "los", "las", "the"})


def _price_of_named(turn: Turn, text: str, total: str) -> bool:
    """Whether a phrase that asks a total ("cuánto es", "cuánto va") is followed by a product said
    with a definite article and no count ("¿cuánto es la gringa?", "y cuánto son los tamales"):
    it asks that product's price. A total with it said apart ("¿cuánto es con la gringa?", "un
    flan, ¿cuánto es?", "¿cuánto es todo?") is no such question."""
    after = [w for w in intents.rest_after(text, total).split() if w not in _QUESTION_WORDS or w in _FOLLOW_ARTICLES]
    if after[:1] in (["son"], ["seria"], ["serian"]):
        after = after[1:]  # "cuanto es" is found in "cuánto son…" only when said so; "cuánto seria el flan"
    if after[:1] not in [[a] for a in _FOLLOW_ARTICLES] or _TOTAL_WORDS & set(after):
        return False
    if any(number(w) is not None for w in after):
        return False
    reading = read_order(" ".join(after), turn.catalog)
    return bool(reading.items or reading.doubts) and not reading.unknown


def _asks_on(words: list[str]) -> bool:
    """ "y los de lengua" with no question mark, right after a price: "and the …" counting nothing
    asks on (an order says how many: "y 2 de lengua"), unless said as a change of mind ("y el
    aguachile mejor q sea negro" after «¿tienen ostiones?»: the aguachile of the cart changed)."""
    if restates(" ".join(words)):
        return False
    return len(words) > 1 and words[1] in _FOLLOW_ARTICLES and not any(number(w) is not None for w in words)


def asks(text: str) -> bool:
    """Whether the message reads as a question (a question mark, or opens with a question word)."""
    words = intents.normalised(text).split()
    if words[:1] == ["que"] and {"sea", "sean"} & set(words[1:6]):
        words = words[1:]  # "que sean 2 lattes", "que el de mango sean 2": a wish, no «qué» asked
    if "?" in text or "¿" in text or bool(words and (words[0] in _QUESTION_WORDS or words[0] in _ASKING)):
        return True
    said = " ".join(words[:3])  # "yall got tenders", "you guys have churros": no question mark needed
    return any(said == p or said.startswith(p + " ") for p in lexicon().intent_phrases("ask_available"))


_OBJECT_PRONOUNS = frozenset({"lo", "la", "los", "las", "it", "them", "those", "that"})
_STILL = frozenset({"hoy", "ahorita", "ahora", "todavia", "aun", "today", "still", "now", "tonight", "o", "no", "or",
                    "not", "porfa", "please", "pls"})  # fmt: skip
"""Words that may follow "¿lo tienen?" without naming anything ("hoy", "o no", "still")."""


def _named_before_availability(words: list[str]) -> str | None:
    """The product said before a closing "¿lo tienen?" ("el rabo de toro lo tenéis", "la gringa la
    tienen hoy", "the lox bagel, do you have it"), or None when the message does not end so."""
    for at in range(len(words) - 1, 0, -1):
        if words[at] in _STILL or words[at] in _OBJECT_PRONOUNS:
            continue
        phrase = next((p for p in _AVAILABILITY if words[at - len(p.split()) + 1 : at + 1] == p.split()), None)
        if phrase is None:
            return None
        before = words[: at - len(phrase.split()) + 1]
        while before and before[-1] in _OBJECT_PRONOUNS:
            before = before[:-1]
        return " ".join(before) or None
    return None


def _asks_after_fillers(words: list[str]) -> bool:
    """ "hm how much tho", "oye cuánto": a question word first once the fillers before it are off."""
    fillers = lexicon().fillers
    opening = next((w for w in words if w not in fillers), "")
    return opening in _QUESTION_WORDS


def faq(turn: Turn, text: str) -> str | None:
    """The tenant's FAQ answers to what the message asks, or None."""
    if not turn.tenant.rules.faq or not asks(text):
        return None
    said: list[str] = []
    for clause in _CLAUSES.split(intents.normalised(text)):  # "¿a qué hora cierran y aceptan tarjeta?"
        wanted = [_concept(w) for w in clause.split() if w not in _FAQ_IGNORED and len(w) >= 3]
        if not wanted:
            continue
        scored = []
        for entry in turn.tenant.rules.faq:
            question_keys = {_concept(w) for w in intents.normalised(entry.question).split() if len(w) >= 3}
            answer_keys = {_concept(w) for w in intents.normalised(entry.answer).split() if len(w) >= 3}
            in_question = sum(_near(k, question_keys) for k in wanted)
            in_either = sum(_near(k, question_keys | answer_keys) for k in wanted)
            if in_question >= 1 and in_either / len(wanted) >= _FAQ_SHARE:
                scored.append((in_either / len(wanted), entry.answer))
        if scored:
            best = max(score for score, _ in scored)
            said += [answer for score, answer in scored if score >= best - 0.34 and answer not in said]
    if not said:
        return None
    return "\n\n".join(said)


def price_or_total(
    turn: Turn, state: ChatState, text: str, asked: tuple[str, ...] = (), unsized: str | None = None
) -> Outcome | None:
    """A price, availability or total question answered, or None when the message is not one.
    After a price answer (`asked`), "¿y el de cabeza?" asks the price of one more product;
    `unsized`: the line the message before added with no count (`ordering.counted_anew`)."""
    after = text[text.index("?") + 1 :] if "?" in text else ""
    if after.strip(" ?¿!.,") and ("?" in after or not asks(after)):  # "…? whats the price" asks on
        return None  # "¿tienen arepas? si no, una hamburguesa": an order follows, read it as one
    words = intents.normalised(text).split()
    total = intents.mentions(text, "total")
    if total is not None and asks_total(turn, text):
        return _total_and_order(turn, state, text, total, unsized)
    price = intents.mentions(text, "price")
    if price is None and (asks(text) or _asks_after_fillers(words)):  # "y la concha, ¿cuánto?", "hm how much tho"
        price = next((w for w in words if w in _PRICE_WORDS), None)
    if price is None and asked and words[:1] in (["y"], ["and"]) and ("?" in text or _asks_on(words)):
        price = words[0]  # "¿y el de cabeza?", "y los de lengua" right after a price: its price
    available = next((p for p in _AVAILABILITY if intents.normalised(text).startswith(p + " ")), None)
    named_first = _named_before_availability(words) if available is None and asks(text) else None
    if named_first is not None:  # "el rabo de toro lo tenéis?": the product, then the question
        available = "hay"
    if price is None and not (available and asks(text)):
        if intents.mentions(text, "total") is not None and state.cart:
            return done(replace(state, stage="cart"), cart_buttons_reply(turn, state))
        return None
    rest = intents.rest_after(text, price or str(available)) if named_first is None or price else named_first
    if price is not None and _names_nothing(turn, rest) and intents.rest_before(text, price):
        rest = ""  # "¿y el pulpo cuánto es?": «es» names nothing, the product was said first
    ordered = ordered_before(turn, text, price) if price is not None and rest.strip(" ?") else None
    if price is not None and not rest.strip(" ?"):
        rest = intents.rest_before(text, price)  # the product first: "la gringa, ¿a cómo?"
        if available and rest.startswith(available + " "):  # "you got brisket tacos? whats the price"
            rest = rest[len(available) + 1 :]
    reading = read_order(" ".join(w for w in rest.split() if w not in _PRICE_WORDS | _QUESTION_WORDS), turn.catalog)
    if reading.empty and price is not None and asked:  # "¿tienen flan?" … "¿y cuánto cuesta?": of the flan
        reading = Reading(items=tuple(Item(p, 1, "", p.name) for p in _products(turn, asked)))
    if reading.empty or (available and not price and reading.unknown and not reading.items):
        if intents.mentions(text, "total") is not None or (reading.empty and price is not None and state.cart):
            # ("how much?", "¿cuánto?" naming nothing, with a cart and no price just answered: its total)
            if ordered is not None and reading.empty:  # "3 esquites y unas papas, ¿cuánto me sale?"
                return ordering.apply_reading(turn, state, ordered)  # the order, shown with its total
            return done(replace(state, stage="cart"), cart_buttons_reply(turn, state))
        if reading.empty:
            return None
    if not (reading.items or reading.doubts or reading.unknown):
        return None  # "como 3" (about three), "¿cómo 2?": a quantity, not a product to price
    lines, products, named = _priced(turn, reading)
    if len(products) == 1:
        state = replace(state, last_sku=products[0].sku)  # "ok, dame uno" orders what was asked about
    if reading.items and not reading.doubts:
        state = replace(state, asked=(*asked, *(i.product.sku for i in reading.items))[-MAX_ASKED:])
    elif len(products) > 1 and not reading.items:  # "¿a cuánto el pollo?": entero or medio, "va uno" asks which
        state = replace(state, asked=tuple(p.sku for p in products)[-MAX_ASKED:])
    outcome = done(state, home_reply(turn, state, "\n".join(lines)) if not state.cart
                   else cart_buttons_reply(turn, state, "\n".join(lines)))  # fmt: skip
    if ordered is not None:  # "un jugo verde y ¿a cómo el de betabel?": the juice added, the price answered
        state, ordered, counted = ordering.counted_anew(turn, state, ordered, text, unsized)
        outcome = ordering.apply_reading(turn, state, ordered, "\n".join(filter(None, (*lines, counted))))
    return replace(outcome, named_back=(*outcome.named_back, *named))


def _names_nothing(turn: Turn, words: str) -> bool:
    """Whether the words, past the ones that ask, read as nothing at all ("es", "sale"): no product,
    no word off the menu, no count."""
    return read_order(" ".join(w for w in words.split() if w not in _PRICE_WORDS | _QUESTION_WORDS),
                      turn.catalog).empty  # fmt: skip


def asks_total(turn: Turn, text: str) -> bool:
    """Whether the message asks what the whole comes to ("¿cuánto es todo?", "y un flan, ¿cuánto
    le debo?"), not the price of a product it names with "el"/"the" ("¿y el pulpo cuánto es?",
    "¿cuánto es la gringa?": its price, never it ordered)."""
    words = intents.normalised(text).split()
    total = intents.mentions(text, "total")
    if total is None:
        return False
    if not (_TOTAL_WORDS & set(words) or total in _ONLY_TOTAL or _counted_then_asked(turn, text, total)):
        return False
    if _price_of_named(turn, text, total):
        return False  # "¿cuánto es la gringa?": the gringa's price, never the gringa ordered
    return bool(_TOTAL_WORDS & set(words)) or not _named_with_article(turn, intents.rest_before(text, total))


def _counted_then_asked(turn: Turn, text: str, total: str) -> bool:
    """Whether the total phrase ends a message that counts what it orders before it ("3 esquites
    medianos y unas papas, ¿cuánto me sale?"): the order and what it all comes to, never only the
    prices of what was just ordered ("y la concha, ¿cuánto me sale?" counts nothing: its price)."""
    after = intents.rest_after(text, total).split()
    if any(w not in _QUESTION_WORDS and w not in lexicon().fillers for w in after):
        return False
    before = intents.normalised(intents.said_before(text, total)).split()
    return any(number(w) is not None for w in before) and bool(read_order(" ".join(before), turn.catalog).items)


def _named_with_article(turn: Turn, before: str) -> bool:
    """Whether `before` names a product with a definite article and counts nothing ("y el pulpo")."""
    said = [w for w in before.split() if w not in ("y", "and", "e")]
    fillers = lexicon().fillers
    while said and said[0] in fillers and said[0] not in _FOLLOW_ARTICLES:
        said = said[1:]
    if not said or said[0] not in _FOLLOW_ARTICLES or any(number(w) is not None for w in said):
        return False
    reading = read_order(" ".join(said), turn.catalog)
    return bool(reading.items or reading.doubts)


def _priced(turn: Turn, reading: Reading) -> tuple[list[str], list[ProductView], tuple[str, ...]]:
    """The answer's lines for the products a question names (their prices, and what is not on the
    menu or not available now), those products, and what it names back."""
    t = turn.texts
    unsure = tuple(d.words for d in reading.doubts if not explains(turn.catalog, d.words, SURE))
    products = [i.product for i in reading.items] + [p for d in reading.doubts for p in d.candidates]
    lines = [t("not_on_menu", text=words) for words in unsure]  # "veggie burgers?": not the Cheeseburger
    lines += [t("price_line", name=p.name, price=turn.money(p.price))
              + ("" if p.available else " — " + t("unavailable", name=p.name)) for p in products]  # fmt: skip
    lines += [t("not_on_menu", text=words) for words in reading.unknown]
    refused = tuple(p.name for p in products if not p.available)
    return lines, products, (*unsure, *reading.unknown, *refused)


def products_asked(turn: Turn, state: ChatState, sentence: str) -> tuple[ChatState, list[str], tuple[str, ...]]:
    """ "¿y tienen jugo de guayaba?" asked beside the opening hours: (the state remembering the one
    product it names, the answer's lines, what they name back); no lines when it names nothing."""
    words = [w for w in intents.normalised(sentence).split() if w not in _PRICE_WORDS | _QUESTION_WORDS]
    reading = read_order(" ".join(words), turn.catalog)
    if not (reading.items or reading.doubts or reading.unknown):
        return state, [], ()
    lines, products, named = _priced(turn, reading)
    if len(products) == 1:  # "ok, 2 please" orders it
        state = replace(state, last_sku=products[0].sku, asked=(products[0].sku,))
    return state, lines, named


def ordered_before(turn: Turn, text: str, phrase: str) -> Reading | None:
    """What the message orders before the question that `phrase` opens ("un jugo verde y ¿a cómo el
    de betabel?", "6 wings and a lemonade, do you have ranch"), or None: what is said with "el"/"the"
    ("y el pastor, ¿a cómo y la coca?") is asked about, not ordered."""
    before = intents.said_before(text, phrase)  # as written: "a large fries, cajun corn" stays two
    said = intents.normalised(before).split()
    greeting = lexicon().greeting_openers
    while said and (said[0] in ("y", "and", "e") or said[0] in greeting):
        said = said[1:]  # "buenas, el zarandeado …": asked about, greeted first
    if not said or said[0] in _FOLLOW_ARTICLES:
        return None
    reading = read_order(before, turn.catalog)
    return reading if reading.items else None


def _products(turn: Turn, skus: tuple[str, ...]) -> list[ProductView]:
    return [p for sku in dict.fromkeys(skus) if (p := turn.catalog.product(sku)) is not None]


def _total_and_order(turn: Turn, state: ChatState, text: str, total: str, unsized: str | None) -> Outcome:
    """ "y un flan, ¿cuánto sale en total?": what the message orders is added, then the cart with
    its total is shown; a bare "¿cuánto es todo?" shows the cart, and so does a total that names a
    cart line with "el"/"la" and no count (that line, not one more of it)."""
    said = f" {intents.normalised(text)} ".replace(f" {total} ", " ")
    rest = " ".join(w for w in said.split() if w not in _TOTAL_WORDS and w not in _PRICE_WORDS)
    after = intents.rest_after(text, total).split()
    if rest and all(w in _TOTAL_WORDS or w in _PRICE_WORDS or w in lexicon().fillers for w in after):
        rest = intents.said_before(text, total)  # the question last: the order as written, its list marks kept
    reading = read_order(rest, turn.catalog) if rest else None
    if reading is not None:  # "¿cuánto es todo con el croissant?": the croissant in the cart, not one more
        cart = state.cart_dict()
        reading = replace(reading, items=tuple(i for i in reading.items if not (i.pointed and i.product.sku in cart)))
    if reading is None or reading.empty:
        return done(replace(state, stage="cart"), cart_buttons_reply(turn, state))
    state, reading, counted = ordering.counted_anew(turn, state, reading, rest, unsized)
    return ordering.apply_reading(turn, state, reading, counted)


def _concept(word: str) -> str:
    """A folded word as the FAQ compares it: its group's word ("demora" -> "tardan"), else its key."""
    concept = lexicon().faq_concepts.get(word)
    return f"={concept}" if concept is not None else key(word)


def _near(word_key: str, keys: set[str]) -> bool:
    return word_key in keys or any(len(k) >= 4 and fuzz.ratio(word_key, k) >= 85 for k in keys)
