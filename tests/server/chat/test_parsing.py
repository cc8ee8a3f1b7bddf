"""The whole-message words of the flow: keywords and typed quantities."""

from __future__ import annotations

import pytest

from comandia.server.chat.parsing import keyword, parse_quantity


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
