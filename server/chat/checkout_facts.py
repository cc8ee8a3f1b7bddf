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
from decimal import Decimal

from comandia.server.chat import checkout, ordering
from comandia.server.chat.answers import asks
from comandia.server.chat.checkout import MAX_ADDRESS, MAX_NAME, city_in
from comandia.server.chat.intents import normalised
from comandia.server.chat.lexicon import lexicon, number
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

_WHEN = (
    r"(?:(?:a|en|por)\s+la\s+(?:tarde|manana|noche)|mas\s+tarde|luego|al\s+rato|en\s+un\s+rat(?:o|ito)|al\s+tiro"
    r"|ahorita|orita|despues|hoy|manana|(?:a|como\s+a|tipo)\s+las?\s+\d{1,2}(?:[:.]\d\d)?(?:\s*(?:am|pm|hrs))?"
    r"|after\s+work|later|tonight|today|this\s+(?:afternoon|evening|morning)|(?:at|around|by)\s+\d{1,2}(?::\d\d)?"
    r"(?:\s*(?:am|pm))?)\b"
)
"""When the customer comes for it ("a la tarde", "en un rato", "al tiro", "a las 6", "after work")."""
_COMING = r"(?:(?:me|nos)\s+)?(?:paso|pasamos|pasare|pasaremos|paso yo|vengo|venimos)"
"""The customer coming to the shop ("paso", "me paso", "vengo"): a pickup with a time or "por ellos" after it."""
_PICKUP = re.compile(
    r"\b(?:(?:para|pa)\s+llevar\b(?!\s+(?:a|al|hasta)\b)|to go\b(?!\s+(?:with|for|to|and)\b)"
    r"|take ?away\b|takeout\b|for pick ?up\b|pick ?up\b"
    r"|(?:i'?ll|we'?ll|i will|we will)\s+(?:pick\s+(?:it|them|those|em|'em)\s+up|(?:come|swing|stop)\s+by)\b"
    r"|(?:(?:lo|la|los|las)\s+)?(?:paso|pasamos|voy|vamos|pasare|pasaremos|paso yo)\s+a\s+"
    r"(?:recoger|buscar|retirar|por)(?:lo|la|los|las|el|ella|ellos)?\b"
    rf"|{_COMING}\s+por\s+(?:ellos|ellas|el|ella|eso|esos|esas|esa)\b|{_COMING}(?=\s+{_WHEN})"
    r"|(?:(?:es|seria|sera)\s+)?(?:para|pa)\s+(?:recoger|retirar|pasar a recoger|pasar a buscar)(?:lo|la|los|las)?\b"
    r"|(?:(?:lo|la|los|las)\s+)?(?:recojo|retiro|recogemos|retiramos)\b|(?:lo|la|los|las)\s+(?:busco|buscamos)\b)"
    rf"(?:\s+(?:en\s+)?(?:el\s+|la\s+)?(?:local|tienda|sucursal|restaurante|negocio))?(?:\s+{_WHEN})?"
)
"""Picking the order up ("para llevar", "paso a recogerlo", "paso por ellos a las 6", "que paso a la
tarde", "la busco a las 7", "i'll pick them up at 5"), with when, if said."""
_DELIVERY = re.compile(
    r"\b(?:(?:es|seria|sera|que sea|envio|entrega|servicio)\s+)?(?:a|para|con|en)\s+domicilio\b"
    r"|\b(?:for\s+)?delivery\b(?!\s+(?:fee|cost))"
)
_STREET = (
    r"(?:av(?:enida)?|avda|calle|c/|blvd|boulevard|bulevar|calz(?:ada)?|carrera|cra|kr|diagonal|transversal"
    r"|pasaje|psje|camino|privada|priv|cerrada|andador|callejon|prolongacion|prol|circuito|retorno|paseo"
    r"|carretera|autopista|pje)"
)
_STREET_KIND = r"(?:st|street|ave|avenue|rd|road|dr|drive|blvd|ln|lane|way|pl|place|ct|court)"
_BEFORE = (
    r"(?:^|[.,;:!?¡\n]\s*|(?:\b(?:es|va|seria|sera|it'?s|its)\s+|\b(?:\w*(?:lo|la|los|las)"
    r"|(?:tra[ie]|mand|envi|llev|dej|deliver|send|bring)\w*)\s+(?:it\s+)?)?\b(?:para|pa|a|al|en|hasta|hacia|to|at|on)\s+)"
)
"""What stands before an address: the message's or a part's start, or a preposition with the verb
before it, if any ("mándalo a", "es pa la", "vivo en", "delivered to")."""
_ADDRESS = re.compile(
    r"(?:\b(?:mi|la|my|the)\s+|^\s*|(?<=\n)\s*)(?:direccion|domicilio|address)\s*(?:es|seria|is|:)?\s+(?P<told>\S)"
    rf"|{_BEFORE}(?:(?:la|el)\s+)?(?P<street>{_STREET}\.?\s+\S)"
    rf"|{_BEFORE}(?P<number>\d{{1,6}}(?:\s+[a-z]+){{1,3}}\s+{_STREET_KIND}\b)"
    r"|(?:^|[.,;:!?¡\n]\s*)(?:envio|entrega|entregar|mandar|mandarlo|mandarla|enviar|enviarlo|enviarla|llevar)"
    r"\s+(?:a|al|en|hasta)\s+(?P<sent>[a-z]\S*)"
)
"""Where an address starts: after "mi dirección es" (or "dirección:" opening a line), a street
word ("Av.", "calle", "carrera", "pasaje"), an English number-first street ("455 Oak Street") or
a part that opens sending it somewhere ("Envío a Gral. Paz 1550", "Entregar en Insurgentes Sur
1602"). It runs over the parts of the message that say where (`_address`) and must hold a number (or "s/n")."""
_NUMBERED = re.compile(r"^(?:\S+\s+){0,6}?(?:#\s*|no\.?\s*|num\.?\s*)?\d|\bs/n\b")
"""An address's first part with its number within a few words of the street ("calle Pino 45",
"privada de los pinos 14", "carrera 15 # 32-10")."""
_PLAIN_STREETS = frozenset({"camino", "paseo", "circuito", "retorno", "diagonal", "transversal", "carretera",
                            "autopista"})  # fmt: skip
"""Street words that are also plain words ("unas papas para el camino y 2 cocas"): such a first part
naming a product is the order, not an address."""
_BREAK = re.compile(r"[,;:\n]|[.!?]+(?=\s|$)")
_ABBREVIATED = frozenset({"av", "avda", "col", "no", "num", "nro", "int", "ext", "depto", "dpto", "mz", "lt", "esq",
                          "apt", "ste", "st", "fracc", "prol", "priv", "blvd", "calz", "edif", "c", "gral", "pte",
                          "sta", "sto", "dr", "ing", "lic", "cnel", "tte", "pres"})  # fmt: skip
"""Words written with a period that ends no sentence ("col. las flores", "Av. Corrientes")."""
_PLACE_OPENERS = frozenset({"col", "cond", "urb", "sector", "vereda"})
"""Short words a part of an address opens with that are no delivery word elsewhere ("col." is also
the cabbage of the "Ensalada de col"): after an address, "col. Juárez" is its colonia."""
_MORE_ORDER = frozenset({"y", "e", "and", "tambien", "also", "plus", "mas", "ademas"})
_AMOUNT = r"\$?\s*(?P<amount>\d{1,3}(?:[.,]\d{3})+|\d{2,6})(?:\s*(?P<thousand>mil|lucas|luquitas|k)\b)?"
"""A bill's amount ("500", "$50", "100.000", "60 mil", "20 lucas")."""
_CHANGES = (
    re.compile(
        r"\b(?:(?:traiga(?:n|me|nme)?|trae(?:me)?|traer|trai?gan|lleva(?:me|n)?|ocupo|necesito|bring|need)\s+)?"
        rf"(?:cambio|change)\s+(?:de|para|por|for|of)\s+(?:(?:un|una|a)\s+)?(?:billete\s+de\s+)?{_AMOUNT}"
        r"(?:\s*(?:pesos|bill|dollar bill|dollars))?\b"
    ),
    re.compile(
        r"\b(?:pago|pagamos|pagare|pagaria|pagaremos|(?:te|le|les)\s+pago|i'?ll pay|i will pay|paying|pay)\s+"
        r"(?:(?:en|in)\s+(?:efectivo|cash)\s+)?(?:con|with)\s+(?:(?:un|una|a)\s+)?(?:billete\s+de\s+)?"
        rf"{_AMOUNT}(?:\s*(?:pesos|bill|dollar bill|dollars|lucas))?\b"
    ),
    re.compile(rf"\b(?:con|llevo|traigo|tengo)\s+(?:(?:un|una)\s+)?billete\s+de\s+{_AMOUNT}(?:\s*pesos)?\b"),
    re.compile(r"\b(?:llevo|traigo|tengo)\s+\$?\s*(?P<amount>\d{1,3})\s*(?P<thousand>mil|lucas|luquitas)\b"),
    re.compile(rf"\b(?:with|have|got)\s+(?:a\s+)?{_AMOUNT}\s*(?:dollar\s+)?bill\b"),
    re.compile(r"\b(?:con|with)\s+\$?\s*(?P<amount>\d{1,3})\s*(?P<thousand>mil|lucas|luquitas)\b"),
    re.compile(
        r"\b(?:traiga(?:n|me|nme)?|trae(?:me)?|trai?gan|lleve(?:n)?|bring)\s+(?:(?:el|mi|the|some)\s+)?"
        r"(?:cambio|change)\b"
    ),
)
"""The bill the customer pays cash with: the change to bring for it ("traigan cambio de 500",
"bring change for a $50"), the bill said with a verb or "billete"/"bill" ("pago con 1000", "llevo
billete de 1000", "paying cash with a $50 bill"), or change asked for with no amount ("traigan
cambio"): never a count, a product nor part of the address."""
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
    directions: str | None = None
    """How to find the customer said apart from a street ("tocan el timbre verde", "we're at the park
    pavilion B"), kept with the address."""
    pay_with: str | None = None
    """The bill the customer pays cash with ("traigan cambio de 500": "500")."""

    @property
    def empty(self) -> bool:
        return (self.payment is None and self.fulfilment is None and self.address is None and self.name is None
                and self.directions is None and self.pay_with is None)  # fmt: skip

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


def where_asked(turn: Turn, state: ChatState, text: str) -> tuple[ChatState, str, str] | None:
    """(the state with it noted, what to say, the rest) for checkout information said in a message
    that also asks ("…es pa la calle Pino 45, tocan el timbre verde. ¿aceptan tarjeta?", "paso a
    recogerlo como a las 2. ¿cuánto sería?"): what its sentences that ask nothing say is noted, the
    rest (the order and the question) read on as the message. None when it does not ask or says
    nothing of the checkout."""
    if not asks(text):
        return None
    facts = _read(text, turn.catalog, blank=_asking_blanked(text, turn.catalog))
    if facts.empty:
        return None
    noted, said = note(turn, state, facts)
    return noted, "\n".join(said), facts.rest


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


def _read(message: str, catalog: CatalogView, asked: bool = False, blank: str | None = None) -> Facts:
    """`read` of a message that may be a question; `asked`: one that asks to pay another way, where
    a payment word after "con"/"with" is one ("¿se puede con tarjeta?"); `blank`: the message with
    what it asks blanked out (`_asking_blanked`), where the information is looked for."""
    folded = _same_length_fold(blank if blank is not None else message)
    spans: list[tuple[int, int]] = []
    found: dict[str, str] = {}
    searched = folded
    address = _address(message, folded, catalog)
    if address is not None:
        start, end, said = address
        found["address"] = said[:MAX_ADDRESS]
        spans.append((start, end))
        searched = folded[:start] + " " * (end - start) + folded[end:]  # an address's own words say nothing else
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
    for change in _changes(searched, spans):
        amount = change.groupdict().get("amount")
        if amount and "pay_with" not in found:
            found["pay_with"] = re.sub(r"[.,](?=\d{3}\b)", "", amount) + ("000" if change.group("thousand") else "")
        elif not amount:
            found.setdefault("payment", "cash")  # "traigan cambio": change is for cash
        spans.append(change.span())
    directions = _directions(message, folded, catalog, spans)
    if directions and "address" not in found and not _orders_beside(message, [span for span, _ in directions], catalog):
        directions = []  # "cancele, ya compré en la esquina": said beside no order, about no delivery
    if directions:
        spans.extend(span for span, _ in directions)
        said = ", ".join(words for _, words in directions)
        if "address" in found:
            found["address"] = f"{found['address']}, {said}"[:MAX_ADDRESS]
        else:
            found["directions"] = said[:MAX_ADDRESS]
    if not found:
        return Facts(rest=message)
    return Facts(
        payment=found.get("payment"),
        fulfilment=found.get("fulfilment"),
        address=found.get("address"),
        name=found.get("name"),
        rest=_squeezed(_without(message, spans)).strip(" ,.;:"),
        directions=found.get("directions"),
        pay_with=found.get("pay_with"),
    )


def _changes(text: str, taken: list[tuple[int, int]]) -> list[re.Match[str]]:
    """The `_CHANGES` said in `text` outside the `taken` spans, none inside another."""
    found: list[re.Match[str]] = []
    for pattern in _CHANGES:
        for match in pattern.finditer(text):
            if not any(match.start() < b and a < match.end() for a, b in [*taken, *(m.span() for m in found)]):
                found.append(match)
    return found


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def _asking_blanked(text: str, catalog: CatalogView) -> str:
    """`text` with each sentence that asks ("¿aceptan tarjeta?", "a q hora abren?") as spaces, the
    rest in place: where to deliver is looked for in what it says, not in what it asks. A request
    that orders ("can i get 2 cheeseburgers … delivered to 455 Oak Street") says."""
    out = list(text)
    for sentence in _SENTENCE.finditer(text):
        if asks(sentence.group(0)) and not read_order(sentence.group(0), catalog).items:
            out[sentence.start() : sentence.end()] = " " * (sentence.end() - sentence.start())
    return "".join(out)


def _pieces(text: str, start: int, end: int | None = None) -> list[tuple[int, int]]:
    """The spans of `text[start:end]` between commas, colons and sentence ends (not the period of
    "col." or "Av."), each without the spaces around it."""
    stop = len(text) if end is None else end
    spans, at = [], start
    for cut in _BREAK.finditer(text, start, stop):
        before = re.search(r"(\w+)$", text[at : cut.start()])
        if cut.group(0) == "." and before is not None and before.group(1) in _ABBREVIATED:
            continue
        spans.append((at, cut.start()))
        at = cut.end()
    spans.append((at, stop))
    trimmed = []
    for a, b in spans:
        piece = text[a:b]
        if piece.strip():
            a += len(piece) - len(piece.lstrip())
            trimmed.append((a, a + len(piece.strip())))
    return trimmed


def _address(message: str, folded: str, catalog: CatalogView) -> tuple[int, int, str] | None:
    """(start, end, the address) of the address the message gives: its first part with its number,
    then the parts after it that say where (the colonia, the flat, the gate, a landmark), up to a
    part that orders, asks or says something else of the checkout."""
    for found in _ADDRESS.finditer(folded):
        group = next(g for g in ("told", "street", "number", "sent") if found.group(g))
        pieces = _pieces(folded, found.start(group))
        first = folded[pieces[0][0] : pieces[0][1]] if pieces else ""
        street = first.split(maxsplit=1)[1] if group == "street" and len(first.split()) > 1 else first
        if not _NUMBERED.search(street):
            continue
        end = _before_more_order(message, pieces[0], catalog)
        ordered = read_order(message[pieces[0][0] : end], catalog).items
        if ordered and (group in ("number", "sent") or found.group(group).split()[0].rstrip(".") in _PLAIN_STREETS):
            continue
        for a, b in pieces[1:] if end == pieces[0][1] else ():
            if not _says_where(message[a:b], folded[a:b], catalog):
                break
            end = b
        words = message[found.start(group) : end].strip(" .,;:").split()
        while len(words) > 1 and fold(words[-1]).strip(".,;:!") in lexicon().fillers:
            words.pop()  # "to 88 Pine Ave please"
        return found.start(), end, " ".join(words).strip(" .,;:")
    return None


def _before_more_order(message: str, piece: tuple[int, int], catalog: CatalogView) -> int:
    """Where the address's first part ends: before "y"/"and" and an order ("a calle 5 #45 y una
    coca"), else at the part's end."""
    start, end = piece
    for joined in re.finditer(r"\s(?:y|e|and|con|with)\s", message[start:end], re.IGNORECASE):
        if read_order(message[start + joined.end() : end], catalog).items:
            return start + joined.start()
    return end


def _says_where(piece: str, folded: str, catalog: CatalogView) -> bool:
    """Whether a part of the message after an address goes on saying where ("col. las flores",
    "depto 4", "tocan el timbre verde", "la casa de la reja verde"): not a question, no other
    checkout information, no more order ("y 2 cocas"; a product's words are not delivery words:
    "ensalada de la casa")."""
    words = normalised(piece).split()
    if not words or asks(piece) or words[0] in _MORE_ORDER or number(words[0]) is not None:
        return False
    if all(w in lexicon().fillers for w in words):  # "gracias", "porfa": said to the person
        return False
    if any(p.search(folded) for p in (_PAYMENT, _PICKUP, _NAME, *_CHANGES)):
        return False
    if words[0] in lexicon().delivery_words or words[0] in _PLACE_OPENERS:  # "col. Juárez", "depto 4B"
        return True
    items = read_order(piece, catalog).items
    if not items:
        return True
    named = {w for item in items for w in fold(item.product.name).split()}
    return bool((lexicon().delivery_words & set(words)) - named)


def _orders_beside(message: str, taken: list[tuple[int, int]], catalog: CatalogView) -> bool:
    """Whether the message orders products outside the `taken` spans."""
    return bool(read_order(_without(message, taken), catalog).items)


def _without(message: str, spans: list[tuple[int, int]]) -> str:
    """`message` without the spans (the parts between them joined by a space)."""
    rest, end = [], 0
    for start, stop in sorted(spans):
        rest.append(message[end:start])
        end = max(end, stop)
    rest.append(message[end:])
    return " ".join(rest)


def _squeezed(text: str) -> str:
    """`text` with its runs of spaces as one and its line breaks kept: a line of a list ends the
    item and its note ("5 de pastor sin piña⏎3 de suadero"), also once the address is taken out."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _product_words(catalog: CatalogView) -> frozenset[str]:
    """The longer words of the products' names and aliases."""
    return frozenset(w for p in catalog.products for n in (p.name, *p.aliases) for w in fold(n).split() if len(w) > 3)


def _directions(message: str, folded: str, catalog: CatalogView, taken: list[tuple[int, int]]
                ) -> list[tuple[tuple[int, int], str]]:  # fmt: skip
    """The parts of the message, outside what is already read, that say how to find the customer
    ("tocan el timbre verde", "we're at the park pavilion B", "el portero es medio sordo"): a
    delivery word, no product, no question, no other checkout information."""
    found = []
    for a, b in _pieces(folded, 0):
        if any(a < stop and start < b for start, stop in taken):
            continue
        piece = message[a:b]
        words = set(normalised(piece).split())
        if not (lexicon().delivery_words & words) or asks(piece):
            continue
        if any(p.search(folded[a:b]) for p in (_PAYMENT, _PICKUP, _NAME, *_CHANGES)):
            continue
        if words & _product_words(catalog):  # "knock the muffin off": about a product
            continue
        reading = read_order(piece, catalog)
        if reading.items or reading.doubts:
            continue
        found.append(((a, b), piece.strip(" .,;:")))
    return found


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
    if facts.directions is not None:
        directions = ", ".join(d for d in (state.directions, facts.directions) if d)[:MAX_ADDRESS]
        state = replace(state, directions=directions)
        said.append(t("noted_directions", directions=facts.directions))
    if facts.pay_with is not None and facts.payment is None:
        kinds = [m.kind for m in rules.payment_methods]
        if "cash" in kinds:
            state = replace(state, payment="cash", pay_with=format(Decimal(facts.pay_with), "f"))
            said.append(t("noted_change", amount=turn.money(Decimal(facts.pay_with))))
        elif kinds:
            methods = ", ".join(t(f"pay.{k}") for k in kinds)
            said.append(t("payment_not_taken", method=t("pay.cash"), methods=methods))
        else:
            said.append(t("payment_not_noted"))
    if facts.payment is not None:
        kinds = [m.kind for m in rules.payment_methods]
        method = t(f"pay.{facts.payment}")
        if facts.payment in kinds:
            kept = state.pay_with if state.payment == facts.payment else None
            if facts.payment == "cash" and facts.pay_with is not None:  # "pago en efectivo con billete de 500"
                kept = format(Decimal(facts.pay_with), "f")
            state = replace(state, payment=facts.payment, pay_with=kept)
            said.append(t("noted_payment", method=method))
            if facts.payment == "cash" and facts.pay_with is not None:
                said.append(t("noted_change", amount=turn.money(Decimal(facts.pay_with))))
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


def said_beside(turn: Turn, state: ChatState, text: str) -> tuple[ChatState, str, str] | None:
    """(the state with it noted, what to say, the rest) for checkout information said beside more
    ("guárdame 2 que paso a la tarde", "hold 3 for me, i'll pick them up at 5"): the rest is read
    on as the message, so a bare count in it is still of the product just asked about. None when
    the message gives none, or nothing beside it."""
    facts = read(text, turn.catalog)
    counts = any(number(w) is not None for w in normalised(facts.rest).split())  # "me guarda una": one
    if facts.empty or (facts.rest_says_nothing and not counts) or state.stage == "summary":
        return None
    noted, said = note(turn, state, facts)
    return noted, "\n".join(said), facts.rest


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
