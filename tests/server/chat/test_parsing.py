"""Reading what customers type: keywords, quantities, free-text orders with typos and accents."""

from __future__ import annotations

import pytest

from comandia.server.chat.parsing import keyword, match_products, parse_order, parse_quantity, removal_target
from tests.server.chat.menu import MENU


def lines(text: str) -> list[tuple[str, int]]:
    return [(product.sku, quantity) for product, quantity in parse_order(text, MENU).lines]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quiero 2 pizzas margarita y una coca", [("PZ-MAR", 2), ("COCA", 1)]),
        ("2 x margarita", [("PZ-MAR", 2)]),
        ("2x margarita", [("PZ-MAR", 2)]),
        ("margarita x3", [("PZ-MAR", 3)]),
        ("piza margarita", [("PZ-MAR", 1)]),
        ("PIZZA MARGARÍTA", [("PZ-MAR", 1)]),
        ("pizza margherita", [("PZ-MAR", 1)]),
        ("dos pepperoni, tres cocas", [("PZ-PEP", 2), ("COCA", 3)]),
        ("una hawaiana + una coca", [("PZ-HAW", 1), ("COCA", 1)]),
        ("hola, me das 4 tamales por favor", [("TAMAL", 4)]),
        ("chile con carne y una coca", [("CHILE", 1), ("COCA", 1)]),
        ("I want two margarita pizzas and a coca cola", [("PZ-MAR", 2), ("COCA", 1)]),
        ("pz-pep", [("PZ-PEP", 1)]),
        ("3 x PZ-HAW", [("PZ-HAW", 3)]),
        ("1 margarita\n1 pepperoni", [("PZ-MAR", 1), ("PZ-PEP", 1)]),
        ("agua de jamaica", [("AGUA", 1)]),
    ],
)
def test_free_text_orders_are_read_into_lines(text: str, expected: list[tuple[str, int]]) -> None:
    assert lines(text) == expected


def test_words_that_match_nothing_are_reported_not_guessed() -> None:
    parsed = parse_order("una hamburguesa y 2 cocas", MENU)
    assert [(p.sku, q) for p, q in parsed.lines] == [("COCA", 2)]
    assert parsed.unknown == ("hamburguesa",)


def test_a_word_fitting_several_products_is_ambiguous() -> None:
    parsed = parse_order("2 pizzas", MENU)
    assert not parsed.lines
    [tie] = parsed.ambiguous
    assert {p.sku for p in tie.candidates} == {"PZ-MAR", "PZ-PEP", "PZ-HAW"}


def test_empty_or_filler_text_parses_to_nothing() -> None:
    assert parse_order("", MENU).empty
    assert parse_order("quiero por favor", MENU).empty


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


def test_removals_name_the_product_words() -> None:
    assert removal_target("quitar la coca") == "coca"
    assert removal_target("remove the coca cola") == "coca cola"
    assert removal_target("coca") is None


def test_a_typed_sku_wins_and_typos_still_find_the_product() -> None:
    assert [p.sku for p in match_products("COCA", MENU)] == ["COCA"]
    assert [p.sku for p in match_products("peperoni", MENU)] == ["PZ-PEP"]
    assert [p.sku for p in match_products("tamal", MENU)] == ["TAMAL"]
    assert match_products("sushi", MENU) == []
