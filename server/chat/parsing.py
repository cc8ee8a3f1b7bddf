"""Reading what customers type: keywords, quantities and free-text orders.

Everything is compared folded (lower case, no accents, punctuation as spaces), so "Menú", "MENU"
and "menu!" are one word. Product names are matched word by word with a forgiving similarity
(plural "pizzas" is "pizza", "piza" is "pizza", "margherita" is "margarita"); a chunk that fits
two products equally well is reported as ambiguous instead of guessed.

    >>> [(p.sku, q) for p, q in parse_order("quiero 2 pizzas margarita y una coca", MENU).lines]
    [('PZ-MAR', 2), ('COCA', 1)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from comandia.server.chat.model import CatalogView, ProductView, fold

MAX_QUANTITY = 999

KEYWORDS: dict[str, frozenset[str]] = {
    "menu": frozenset({"menu", "carta", "catalogo", "catalog", "ver menu", "see menu", "productos"}),
    "cart": frozenset({"carrito", "cart", "ver carrito", "mi carrito", "view cart", "my cart", "canasta"}),
    "cancel": frozenset({"cancelar", "cancel", "cancelar pedido", "cancel order"}),
    "status": frozenset({"estado", "status", "mi pedido", "my order", "estado del pedido", "order status"}),
    "help": frozenset({"ayuda", "help", "?", "info"}),
    "greet": frozenset(
        {"hola", "hi", "hello", "hey", "buenas", "buenos dias", "buenas tardes", "buenas noches",
         "ola", "good morning", "start", "inicio", "empezar"}
    ),
    "confirm": frozenset({"si", "yes", "confirmar", "confirm", "ok", "dale", "confirmo", "si confirmo"}),
    "no": frozenset({"no", "nope"}),
    "empty": frozenset({"vaciar", "vaciar carrito", "empty", "empty cart", "clear cart", "borrar carrito"}),
    "checkout": frozenset(
        {"finalizar", "pagar", "checkout", "terminar", "listo", "done", "finish", "ordenar", "hacer pedido",
         "finalizar pedido", "place order"}
    ),
    "more": frozenset({"mas", "more", "siguiente", "next", "ver mas", "see more"}),
}  # fmt: skip

_NUMBER_WORDS = {
    "un": 1, "una": 1, "uno": 1, "a": 1, "an": 1, "one": 1, "dos": 2, "two": 2, "tres": 3,
    "three": 3, "cuatro": 4, "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7,
    "seven": 7, "ocho": 8, "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10, "once": 11,
    "doce": 12, "twelve": 12, "docena": 12, "dozen": 12,
}  # fmt: skip
_FILLER_TEXT = (
    "quiero queria quisiera me das da dame mandame manda envia enviame traeme trae pido pedir "
    "porfa favor por pls please i want id like would give can get have some de del la el los las "
    "the of also tambien mas and y e con plus para mi yo tu nos quiero ordenar order agrega agregar "
    "anade add ademas otra otro another hola hi hello buenas buenos dias tardes noches gracias thanks "
    "thank you"
)
_FILLERS = frozenset(_FILLER_TEXT.split())
_REMOVE_WORDS = frozenset(
    "quitar quita quitame eliminar elimina sacar saca borrar borra remove delete sin".split()  # noqa: SIM905
)
_SEPARATORS = re.compile(r"\s*(?:,|;|\n|\+|&|\by\b|\band\b|\be\b|\bcon\b|\bwith\b)\s*")
# Menus with "Chile con carne" keep "con" inside names.
_SEPARATORS_KEEP_CON = re.compile(r"\s*(?:,|;|\n|\+|&|\by\b|\band\b|\be\b)\s*")
_PUNCTUATION = re.compile(r"[^\w\s,;+&]")
_SKU_LINE = re.compile(r"(?:(\d{1,3})\s*[x×*]?\s+)?(\S+)", re.IGNORECASE)
_TIMES = re.compile(r"\b(\d+)\s*x\s*|\s*\bx\s*(\d+)\b")


@dataclass(frozen=True)
class Ambiguous:
    """A chunk that fits several products equally well ("pizza" with two pizzas on the menu)."""

    text: str
    candidates: tuple[ProductView, ...]


@dataclass(frozen=True)
class ParsedOrder:
    """What a free-text order named: matched lines, and the chunks that matched nothing or many."""

    lines: tuple[tuple[ProductView, int], ...] = ()
    unknown: tuple[str, ...] = ()
    ambiguous: tuple[Ambiguous, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.lines or self.unknown or self.ambiguous)


@dataclass
class _Chunk:
    quantity: int = 1
    words: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """Folded text with punctuation (but not separators) turned into spaces, spaces collapsed."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).replace("_", " ").split())


def keyword(text: str) -> str | None:
    """The keyword the whole message is ("Menú" -> "menu", "carito" -> "cart"), or None."""
    words = normalise(text).replace(",", " ").replace(";", " ").strip()
    if not words:
        return "help" if text.strip() == "?" else None
    for name, spellings in KEYWORDS.items():
        if words in spellings:
            return name
    if len(words) >= 5 and " " not in words:  # one typo in a long single word ("carito", "ayduda")
        for name, spellings in KEYWORDS.items():
            if any(len(s) >= 5 and _similarity(words, s) >= 0.85 for s in spellings):
                return name
    return None


def parse_quantity(text: str) -> int | None:
    """A whole quantity from "3", "tres", "x3" or "3 piezas"; None when the text is not one."""
    words = normalise(text).lstrip("x").split()
    if not words or len(words) > 2:
        return None
    first = words[0]
    value = int(first) if first.isdigit() and len(first) <= 4 else _NUMBER_WORDS.get(first)
    return value if value is not None and 0 <= value <= MAX_QUANTITY else None


def removal_target(text: str) -> str | None:
    """The product words of "quitar la coca" / "remove coke", or None when it is not a removal."""
    words = normalise(text).split()
    if len(words) >= 2 and words[0] in _REMOVE_WORDS:
        return " ".join(w for w in words[1:] if w not in _FILLERS) or None
    return None


def parse_order(text: str, catalog: CatalogView) -> ParsedOrder:
    """Read "quiero 2 pizzas margarita y una coca" / "2 x margarita" into lines of the catalog.

    Unavailable products are matched too (the flow explains they cannot be ordered).
    """
    by_sku = _SKU_LINE.fullmatch(text.strip())
    if by_sku is not None and catalog.product(by_sku.group(2)) is not None:  # "PZ-PEP", "2 x PZ-PEP"
        product = catalog.product(by_sku.group(2))
        assert product is not None
        return ParsedOrder(((product, min(max(int(by_sku.group(1) or 1), 1), MAX_QUANTITY)),))
    vocabulary = {_stem(w) for p in catalog.products for w in _words(p.name)}
    lines: list[tuple[ProductView, int]] = []
    unknown: list[str] = []
    ambiguous: list[Ambiguous] = []
    separators = _SEPARATORS_KEEP_CON if {"con", "with"} & vocabulary else _SEPARATORS
    for raw in separators.split(_TIMES.sub(_times_to_prefix, normalise(text.replace("\n", ",")))):
        chunk = _chunk(raw, vocabulary)
        if chunk is None:
            continue
        matches = match_products(" ".join(chunk.words), catalog)
        if len(matches) == 1:
            lines.append((matches[0], chunk.quantity))
        elif matches:
            ambiguous.append(Ambiguous(" ".join(chunk.words), tuple(matches)))
        else:
            unknown.append(" ".join(chunk.words))
    return ParsedOrder(tuple(lines), tuple(unknown), tuple(ambiguous))


def match_products(text: str, catalog: CatalogView, limit: int = 5) -> list[ProductView]:
    """The products `text` names: one when it is clear, several when tied, none when nothing fits.

    A SKU typed exactly wins. Otherwise every word typed must resemble a word of the name.
    """
    by_sku = catalog.product(text.strip()) if text.strip() else None
    if by_sku is not None:
        return [by_sku]
    query = [_stem(w) for w in text.split()]
    if not query:
        return []
    scored: list[tuple[float, int, ProductView]] = []
    for index, product in enumerate(catalog.products):
        score = _score(query, [_stem(w) for w in _words(product.name)])
        if score > 0:
            scored.append((score, -index, product))
    if not scored:
        return []
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    best = scored[0][0]
    tied = [p for s, _, p in scored if best - s < 0.08]
    return tied[:limit]


def _times_to_prefix(match: re.Match[str]) -> str:
    return f" {match.group(1) or match.group(2)} "


def _chunk(raw: str, vocabulary: set[str]) -> _Chunk | None:
    chunk = _Chunk()
    quantity: int | None = None
    for word in raw.split():
        value = int(word) if word.isdigit() and len(word) <= 4 else _NUMBER_WORDS.get(word)
        if value is not None and quantity is None and _stem(word) not in vocabulary:
            quantity = value
        elif word not in _FILLERS or _stem(word) in vocabulary:
            chunk.words.append(word)
    if not chunk.words:
        return None
    chunk.quantity = min(max(quantity or 1, 1), MAX_QUANTITY)
    return chunk


def _score(query: list[str], name: list[str]) -> float:
    """0 when a typed word matches no word of the name, else how well and how fully it fits."""
    if not name:
        return 0.0
    total = 0.0
    used: set[int] = set()
    for word in query:
        best, where = 0.0, -1
        for position, candidate in enumerate(name):
            similarity = _similarity(word, candidate)
            if similarity > best:
                best, where = similarity, position
        if best < 0.75:
            return 0.0
        total += best
        used.add(where)
    return total / len(query) * 0.7 + len(used) / len(name) * 0.3


def _similarity(word: str, candidate: str) -> float:
    if word == candidate:
        return 1.0
    if len(word) <= 2 or len(candidate) <= 2:
        return 0.0
    if len(word) >= 3 and candidate.startswith(word):  # "marg" for "margarita", "coca" for "cocacola"
        return 0.8 + 0.2 * len(word) / len(candidate)
    if len(word) < 4:
        return 0.0
    return SequenceMatcher(None, word, candidate).ratio()


def _words(name: str) -> list[str]:
    return normalise(name).replace(",", " ").replace(";", " ").split()


def _stem(word: str) -> str:
    """A crude singular: "pizzas" -> "pizza", "tamales" -> "tamal"; both sides get the same."""
    if len(word) > 4 and word.endswith("es") and word[-3] not in "aeiou":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
