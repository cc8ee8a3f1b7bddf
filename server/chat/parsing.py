"""Reading the whole-message words of the flow: keywords ("menú", "carrito") and a typed quantity.

Everything is compared folded (lower case, no accents, punctuation as spaces), so "Menú", "MENU"
and "menu!" are one word. Free-text orders are read by `reading.read_order`.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz.distance import Indel

from comandia.server.chat.model import fold

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
_PUNCTUATION = re.compile(r"[^\w\s,;+&]")


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
        return _typo_keyword(words)
    return None


def parse_quantity(text: str) -> int | None:
    """A whole quantity from "3", "tres", "x3" or "3 piezas"; None when the text is not one."""
    words = normalise(text).lstrip("x").split()
    if not words or len(words) > 2:
        return None
    first = words[0]
    value = int(first) if first.isdigit() and len(first) <= 4 else _NUMBER_WORDS.get(first)
    return value if value is not None and 0 <= value <= MAX_QUANTITY else None


_TYPO_SCORE = 0.85
# The spellings a typo may stand for, in KEYWORDS' order (the first keyword that is close wins).
_TYPO_SPELLINGS = tuple((name, s) for name, spellings in KEYWORDS.items() for s in sorted(spellings) if len(s) >= 5)


@lru_cache(maxsize=4096)
def _typo_keyword(word: str) -> str | None:
    """The keyword a long single word is one typo away from; cached, as customers repeat words."""
    for name, spelling in _TYPO_SPELLINGS:
        if _close(word, spelling):
            return name
    return None


def _close(word: str, candidate: str) -> bool:
    """`_similarity(word, candidate) >= 0.85`, with rapidfuzz's Indel score as a cheap exact precheck.

    difflib's ratio is 2·M/T where M counts the characters of its matching blocks, which form a
    common subsequence, so M <= the longest common subsequence and the ratio never exceeds
    rapidfuzz's Indel similarity (2·LCS/T). A candidate that fails the precheck cannot pass
    difflib; the few that pass are decided by difflib itself, so decisions stay the same.
    """
    if candidate.startswith(word) or len(word) < 4 or len(candidate) <= 2:
        return _similarity(word, candidate) >= _TYPO_SCORE
    if not Indel.normalized_similarity(word, candidate, score_cutoff=_TYPO_SCORE - 1e-9):
        return False
    return _similarity(word, candidate) >= _TYPO_SCORE


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
