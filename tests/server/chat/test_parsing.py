"""The whole-message words of the flow: keywords and typed quantities."""

from __future__ import annotations

import tomllib
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from comandia.server.chat.parsing import KEYWORDS, keyword, normalise, parse_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("menu", "menu"), ("Menú", "menu"), ("MENU!", "menu"), ("carta", "menu"),
        ("carrito", "cart"), ("Cart", "cart"), ("carito", "cart"),
        ("cancelar", "cancel"), ("Cancel", "cancel"),
        ("estado", "status"), ("status", "status"), ("ESTADO?", "status"),
        ("ayuda", "help"), ("help", "help"), ("?", "help"),
        ("hola", "greet"), ("Hi", "greet"), ("buenas tardes", "greet"),
        ("sí", "confirm"), ("yes", "confirm"), ("más", "more"), ("vaciar", "empty"),
        ("quiero una coca", None), ("", None), ("menu de pizzas por favor", None),
    ],
)  # fmt: skip
def test_keywords_are_whole_messages_in_spanish_and_english(text: str, expected: str | None) -> None:
    assert keyword(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), (" 12 ", 12), ("tres", 3), ("una", 1), ("two", 2), ("x2", 2), ("0", 0), ("5 piezas", 5),
     ("muchas", None), ("", None), ("1000", None), ("dos pizzas grandes", None)],
)  # fmt: skip
def test_quantities(text: str, expected: int | None) -> None:
    assert parse_quantity(text) == expected


def _reference_keyword(text: str) -> str | None:
    """The typo rule as it was before rapidfuzz's precheck: difflib against every long spelling."""
    words = normalise(text).replace(",", " ").replace(";", " ").strip()
    if not words:
        return "help" if text.strip() == "?" else None
    for name, spellings in KEYWORDS.items():
        if words in spellings:
            return name
    if len(words) >= 5 and " " not in words:
        for name, spellings in KEYWORDS.items():
            for s in spellings:
                prefix = s.startswith(words) and 0.8 + 0.2 * len(words) / len(s) >= 0.85
                if len(s) >= 5 and (prefix or SequenceMatcher(None, words, s).ratio() >= 0.85):
                    return name
    return None


def _typos(spelling: str) -> set[str]:
    """A letter dropped, doubled or swapped with the next one: the typos customers make most."""
    out = set()
    for i in range(len(spelling)):
        out.update((spelling[:i] + spelling[i + 1 :], spelling[:i] + spelling[i] + spelling[i:]))
        out.add(spelling[:i] + spelling[i + 1 : i + 2] + spelling[i] + spelling[i + 2 :])
    return out


def _public_words() -> set[str]:
    words: set[str] = set()
    for path in sorted(Path(__file__).resolve().parents[2].glob("data/chats/public/*.toml")):
        for chat in tomllib.loads(path.read_text(encoding="utf-8")).get("chat", []):
            for turn in (t for t in (*chat.get("turns", []), *chat.get("after", [])) if isinstance(t, str)):
                words.update((turn, *turn.split(), *normalise(turn).split()))
    return words


def test_the_typo_precheck_decides_as_difflib_alone_did() -> None:
    typos = {typo for spellings in KEYWORDS.values() for s in spellings for typo in _typos(s)}
    texts = _public_words() | typos
    assert len(texts) > 3000 and sum(keyword(t) is not None for t in typos) > 500  # the check has teeth
    assert [t for t in sorted(texts) if keyword(t) != _reference_keyword(t)] == []
