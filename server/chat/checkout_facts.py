"""Checkout information given at another step than the one that asks for it: how the customer
pays ("pago con tarjeta"), delivery or pickup ("para llevar", "a domicilio"), the address ("es
para Av. Juárez 120 col centro") and the name ("a nombre de Jordi"), said while ordering, at the
summary or answering another checkout question.

Customers do not wait to be asked: read as an order these words became "No tenemos «efectivo»",
"No entendí" or a product ("Av" matched a refresco). `read` finds them in a message and gives
back the rest, `note` keeps them in the state (as the checkout's own questions would) and says
what was noted, and the flow goes on with the rest of the message or with the checkout. A
question ("¿aceptan tarjeta?") is not information: the questions module answers it. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from comandia.server.chat import checkout, ordering
from comandia.server.chat.answers import asks
from comandia.server.chat.checkout import MAX_ADDRESS, MAX_NAME, city_in
from comandia.server.chat.intents import normalised
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import CatalogView, fold
from comandia.server.chat.reading import read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done, home_reply, prefixed

_PAY_VERB = (
    r"(?:(?:te|le|les|se)\s+)?(?:pago|pagar[eo]?|pagamos|pagaria|pagaremos|voy a pagar|vamos a pagar|el pago es"
    r"|el pago sera|forma de pago|i'?ll pay|i will pay|we'?ll pay|paying|pay|payment)"
)
_PAY_WORD = (
    r"(?P<pay>efectivo|cash|tarjeta(?:\s+de\s+(?:debito|credito))?|card|credit card|debit card|transferencia"
    r"|transfer|bank transfer|spei|deposito|link de pago|liga de pago|payment link)"
)
_PAYMENT = re.compile(
    rf"(?:\b(?P<verb>{_PAY_VERB})\s+)?(?:\b(?P<prep>con|en|por|with|by|in|via)\s+(?:(?:una|un|la|el|a)\s+)?)?"
    rf"\b{_PAY_WORD}(?:\s+(?:al recibir|al entregar|contra entrega|on delivery))?\b"
)
"""A payment method, with its verb ("te pago con tarjeta") or without ("en efectivo", "cash")."""
_PAY_KINDS = {"efectivo": "cash", "cash": "cash", "tarjeta": "card_on_delivery", "card": "card_on_delivery",
              "transferencia": "transfer", "transfer": "transfer", "spei": "transfer", "deposito": "transfer",
              "link": "link", "liga": "link"}  # fmt: skip

_PICKUP = re.compile(
    r"\b(?:(?:para|pa)\s+llevar\b(?!\s+(?:a|al|hasta)\b)|to go\b(?!\s+(?:with|for|to|and)\b)"
    r"|take ?away\b|takeout\b|for pick ?up\b|pick ?up\b"
    r"|(?:i'?ll|we'?ll|i will|we will)\s+pick\s+it\s+up\b"
    r"|(?:(?:lo|la|los|las)\s+)?(?:paso|pasamos|voy|vamos|pasare|pasaremos|paso yo)\s+a\s+"
    r"(?:recoger|buscar|retirar|por)(?:lo|la|los|las|el|ella|ellos)?\b"
    r"|(?:(?:es|seria|sera)\s+)?(?:para|pa)\s+(?:recoger|retirar|pasar a recoger|pasar a buscar)(?:lo|la|los|las)?\b"
    r"|(?:(?:lo|la|los|las)\s+)?(?:recojo|retiro|recogemos|retiramos)\b)"
    r"(?:\s+(?:en\s+)?(?:el\s+|la\s+)?(?:local|tienda|sucursal|restaurante|negocio))?"
)
_DELIVERY = re.compile(
    r"\b(?:(?:es|seria|sera|que sea|envio|entrega|servicio)\s+)?(?:a|para|con|en)\s+domicilio\b"
    r"|\b(?:for\s+)?delivery\b(?!\s+(?:fee|cost))"
)
_STREET = (
    r"(?:av(?:enida)?|avda|calle|c/|blvd|boulevard|bulevar|calz(?:ada)?|carrera|cra|kr|diagonal|transversal"
    r"|pasaje|psje|camino|privada|priv|cerrada|andador|callejon|prolongacion|prol|circuito|retorno|paseo"
    r"|carretera|autopista|pje)"
)
_EN_STREET = r"(?:\s+[a-z]+){1,3}\s+(?:st|street|ave|avenue|rd|road|dr|drive|blvd|ln|lane|way)\b\.?\s*(?:,.*)?$"
"""An English street after its number ("1200 Main St, Austin"), its kind last before a comma."""
_ADDRESS = re.compile(
    r"(?:\b(?:mi|la|my|the)\s+(?:direccion|domicilio|address)\s*(?:es|seria|is|:)?\s+(?P<told>\S.*)"
    r"|(?:\b(?:es|va|seria|sera|it'?s|its)\s+|\b(?:\w*(?:lo|la|los|las)|(?:tra[ie]|mand|envi|llev|dej|deliver|send|bring)\w*)\s+(?:it\s+)?|^)"
    r"(?:para|a|al|en|hasta|hacia|to|at)\s+(?:(?:la|el)\s+)?"
    rf"(?P<street>{_STREET}\.?\s+\S.*|\d{{1,6}}{_EN_STREET})"
    rf"|^(?P<bare>{_STREET}\.?\s+\S.*|\d{{3,6}}{_EN_STREET}))",
    re.DOTALL,
)
"""An address after its lead-in ("es para", "mándalo a", "mi dirección es") or opening the
message: a street word ("Av.", "calle", "carrera", "pasaje") or an English number-first street,
running to the end of the message; it must hold a number (or "s/n")."""
_NAME = re.compile(
    r"\b(?:a nombre de|me llamo|mi nombre es|my name is|the name is|name is|the order is for|nombre:)\s+"
    r"(?P<name>[^\d,.;:!?\n]+)"
)
_NAME_TAIL = re.compile(r"\s+(?:porfa|por favor|please|pls|gracias|thanks|y|and)\b.*$")
_MAX_NAME_WORDS = 4
_GLUE = frozenset({"sea", "mejor", "mas", "bien", "instead", "actually", "rather", "better", "que", "es", "para", "mi",
                   "pedido", "order"})  # fmt: skip
"""Words around the information that ask for nothing themselves ("y que sea para llevar")."""


@dataclass(frozen=True)
class Facts:
    """What a message said about the checkout, and the rest of the message (to read as an order)."""

    payment: str | None = None
    """The payment method's kind ("cash", "card_on_delivery", "transfer", "link")."""
    fulfilment: str | None = None
    address: str | None = None
    name: str | None = None
    rest: str = ""

    @property
    def empty(self) -> bool:
        return self.payment is None and self.fulfilment is None and self.address is None and self.name is None

    @property
    def rest_says_nothing(self) -> bool:
        """Whether the rest is only greetings, fillers and glue ("hola,", "no mejor", "y que sea")."""
        fillers = lexicon().fillers
        return all(w in fillers or w in _GLUE for w in normalised(self.rest).split())


def read(message: str, catalog: CatalogView) -> Facts:
    """The checkout information in `message` and the rest of it; nothing for a question."""
    if asks(message):
        return Facts(rest=message)
    return _read(message, catalog)


def _changing_payment(state: ChatState, message: str, catalog: CatalogView) -> Facts:
    """ "sorry can I pay by card instead?", "¿se puede con tarjeta mejor?" once a payment is chosen:
    not a question about the business but the customer changing how they pay (only the payment
    is taken from a question, and nothing else of it is read)."""
    if state.payment is None or not asks(message):
        return Facts(rest=message)
    facts = _read(message, catalog, asked=True)
    if facts.payment is None or facts.address is not None or facts.name is not None:
        return Facts(rest=message)
    return Facts(payment=facts.payment)  # the rest of the question asks nothing more ("perdón, ¿se puede…?")


def _read(message: str, catalog: CatalogView, asked: bool = False) -> Facts:
    """`read` of a message that may be a question; `asked`: one that asks to pay another way, where
    a payment word after "con"/"with" is one ("¿se puede con tarjeta?")."""
    folded = _same_length_fold(message)
    spans: list[tuple[int, int]] = []
    found: dict[str, str] = {}
    address = _ADDRESS.search(folded)
    if address is not None:
        group = next(g for g in ("told", "street", "bare") if address.group(g))
        said = message[address.start(group) : address.end(group)].strip(" .,;")
        if any(c.isdigit() for c in said) or " s/n" in fold(said):
            found["address"] = said[:MAX_ADDRESS]
            spans.append((address.start(), len(message)))
    searched = folded[: spans[0][0]] if spans else folded  # an address's own words say nothing else
    name = _NAME.search(searched)
    if name is not None:
        said = _NAME_TAIL.sub("", message[name.start("name") : name.end("name")]).strip()
        if said and len(said.split()) <= _MAX_NAME_WORDS and not _names_product(said, catalog):
            found["name"] = said[:MAX_NAME]
            spans.append((name.start(), name.start("name") + len(said)))
    for kind, pattern in (("pickup", _PICKUP), ("delivery", _DELIVERY)):
        match = pattern.search(searched)
        if match is not None and "fulfilment" not in found and not _names_product(match.group(0), catalog):
            found["fulfilment"] = kind
            spans.append(match.span())
    payment = _PAYMENT.search(searched)
    if payment is not None:
        word = payment.group("pay")
        plainly = (asked and payment.group("prep") is not None) or _plainly_paying(payment, message)
        if payment.group("verb") or (not _names_product(word, catalog) and plainly):
            found["payment"] = _PAY_KINDS[word.split()[0] if word.split()[0] in _PAY_KINDS else word.split()[-1]]
            spans.append(payment.span())
    if not found:
        return Facts(rest=message)
    rest, end = [], 0
    for start, stop in sorted(spans):
        rest.append(message[end:start])
        end = max(end, stop)
    rest.append(message[end:])
    return Facts(
        payment=found.get("payment"),
        fulfilment=found.get("fulfilment"),
        address=found.get("address"),
        name=found.get("name"),
        rest=" ".join(" ".join(rest).split()).strip(" ,.;"),
    )


def note(turn: Turn, state: ChatState, facts: Facts) -> tuple[ChatState, list[str]]:
    """The state with the facts kept as the checkout's questions keep them, and what to say."""
    t, rules = turn.texts, turn.tenant.rules
    said: list[str] = []
    pickup_only = rules.fulfilment == "pickup"
    if facts.name is not None:
        state = replace(state, name=facts.name)
        said.append(t("noted_name", name=facts.name))
    fulfilment = facts.fulfilment or ("delivery" if facts.address is not None and not pickup_only else None)
    if fulfilment is not None:
        if rules.fulfilment in ("both", fulfilment):
            state = replace(state, fulfilment=fulfilment, zone=None)
            if facts.fulfilment is not None:
                where = rules.pickup_address or "—"
                said.append(t("noted_pickup", address=where) if fulfilment == "pickup" else t("noted_delivery"))
        elif fulfilment == "pickup":
            said.append(t("delivery_only"))
        else:
            said.append(t("ask.pickup_only", address=rules.pickup_address or "—"))
    if facts.address is not None and not pickup_only:
        city = city_in(facts.address)
        state = replace(state, address=facts.address, city=city, zone=None, latitude=None, longitude=None)
        said.append(t("noted_address", address=facts.address))
    if facts.payment is not None:
        kinds = [m.kind for m in rules.payment_methods]
        method = t(f"pay.{facts.payment}")
        if facts.payment in kinds:
            kept = state.pay_with if state.payment == facts.payment else None
            state = replace(state, payment=facts.payment, pay_with=kept)
            said.append(t("noted_payment", method=method))
        elif kinds:
            said.append(t("payment_not_taken", method=method, methods=", ".join(t(f"pay.{k}") for k in kinds)))
        else:
            said.append(t("payment_not_noted"))
    return state, said


_PLAIN_PAY_WORDS = frozenset({"efectivo", "cash", "transferencia", "transfer", "bank transfer", "spei"})
_PLAIN_PAY_PREPS = frozenset({"en", "por", "by", "via"})


def _plainly_paying(payment: re.Match[str], text: str) -> bool:
    """Whether a payment word said without a verb is one: a word only a payment uses ("efectivo"),
    after "en"/"by" ("by card"), or the whole message ("tarjeta"); "a card" among products may be
    a greeting card."""
    if payment.group("pay") in _PLAIN_PAY_WORDS or payment.group("prep") in _PLAIN_PAY_PREPS:
        return True
    rest = text[: payment.start()] + " " + text[payment.end() :]
    return Facts(rest=rest).rest_says_nothing


def _names_product(words: str, catalog: CatalogView) -> bool:
    """Whether a product's name or alias holds these words ("Tarjeta con dedicatoria", "Café para
    llevar"): the menu's words win over the checkout's."""
    wanted = " " + " ".join(fold(words).split()) + " "  # no f-string: Babel's extractor misreads this one
    return any(wanted in f" {fold(n)} " for p in catalog.products for n in (p.name, *p.aliases))


def _same_length_fold(text: str) -> str:
    """`text` in lower case without accents, one character for each of `text`'s, so a match's
    positions cut the original text."""
    return "".join((unicodedata.normalize("NFKD", c)[:1] or c).lower()[:1] or c for c in text)


_OWN_ANSWER = {"name": {"name"}, "address": {"address"}, "city": {"address"}, "payment": {"payment"},
               "fulfilment": {"fulfilment"}}  # fmt: skip
"""What answers each checkout question: said there, the question's own reader takes it."""


def answered(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """A message that gives checkout information (with or without an order): noted, then the
    order read, or the checkout taken on (at the summary: the summary again, updated). None when
    the message gives none."""
    facts = read(text, turn.catalog)
    if facts.empty:
        facts = _changing_payment(state, text, turn.catalog)
    if facts.empty:
        return None
    noted, said = note(turn, state, facts)
    prefix = "\n".join(said)
    if not facts.rest_says_nothing:
        reading = read_order(facts.rest, turn.catalog)
        if not reading.empty:
            return ordering.apply_reading(turn, noted, reading, prefix)
    if state.stage == "summary":
        return prefixed(checkout.start_checkout(turn, noted), prefix)
    if noted.cart:
        noted = replace(noted, stage="cart")
        return done(noted, cart_buttons_reply(turn, noted, prefix))
    return done(noted, home_reply(turn, noted, prefix))


def answered_at_checkout(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """Information answering another checkout question than the one asked ("pago en efectivo" to
    "¿A nombre de quién…?"): noted, and the checkout goes on (the question asked again if still
    unanswered). None for the answer to the question asked: its own reader takes it."""
    facts = read(text, turn.catalog)
    if facts.empty:
        facts = _changing_payment(state, text, turn.catalog)
    if facts.empty or not facts.rest_says_nothing:
        return None
    given = {key for key in ("payment", "fulfilment", "address", "name") if getattr(facts, key) is not None}
    if given <= _OWN_ANSWER.get(state.stage, set()):
        return None
    noted, said = note(turn, state, facts)
    return prefixed(checkout.start_checkout(turn, noted), "\n".join(said))
