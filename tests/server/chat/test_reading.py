"""Reading a free-text order (`reading.read_order`): lines, typos, accents, typed SKUs, ties and
words not on the menu. The chat corpus (tests/data/chats) covers the rest through the flow."""

from __future__ import annotations

import pytest

from comandia.server.chat.reading import read_order
from tests.server.chat.menu import MENU


def lines(text: str) -> list[tuple[str, int]]:
    return [(item.product.sku, item.quantity) for item in read_order(text, MENU).items]


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
        ("peperoni", [("PZ-PEP", 1)]),
        ("tamal", [("TAMAL", 1)]),
    ],
)
def test_free_text_orders_are_read_into_lines(text: str, expected: list[tuple[str, int]]) -> None:
    assert lines(text) == expected


def test_words_that_match_nothing_are_named_back_not_guessed() -> None:
    reading = read_order("una hamburguesa y 2 cocas", MENU)
    assert [(i.product.sku, i.quantity) for i in reading.items] == [("COCA", 2)]
    assert reading.unknown == ("hamburguesa",)
    assert read_order("sushi", MENU).unknown == ("sushi",)


def test_a_word_fitting_several_products_is_asked_about() -> None:
    reading = read_order("2 pizzas", MENU)
    assert not reading.items
    [doubt] = reading.doubts
    assert {p.sku for p in doubt.candidates} == {"PZ-MAR", "PZ-PEP", "PZ-HAW"}
    assert doubt.quantity == 2


def test_empty_or_filler_text_reads_as_nothing() -> None:
    assert read_order("", MENU).empty
    assert read_order("quiero por favor", MENU).empty
