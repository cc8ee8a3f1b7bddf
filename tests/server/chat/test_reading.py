"""Reading a free-text order (`reading.read_order`): lines, typos, accents, typed SKUs, ties and
words not on the menu. The chat corpus (tests/data/chats) covers the rest through the flow."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comandia.server.chat.model import CatalogView, CategoryView, ProductView
from comandia.server.chat.reading import read_order
from comandia.server.chat.spread import Referents
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dame2 margaritas", [("PZ-MAR", 2)]),  # a count typed against the verb
        ("porfa 3de pepperoni", [("PZ-PEP", 3)]),  # against the "de" after it
        ("2do piso, una hawaiana", [("PZ-HAW", 1)]),  # an ordinal is no count
    ],
)
def test_a_count_typed_against_a_word_counts(text: str, expected: list[tuple[str, int]]) -> None:
    assert lines(text) == expected


def test_a_count_in_a_unit_another_name_holds_counts_what_follows() -> None:
    menu = CatalogView(
        categories=(CategoryView(1, "Verdura"),),
        products=(
            ProductView("TOMATE", "Tomates pera (kg)", Decimal("2.20"), 1),
            ProductView("NARANJAS", "Malla de naranjas 2 kg", Decimal("3.10"), 1),
        ),
    )
    assert [(i.product.sku, i.quantity) for i in read_order("2 kg de tomates", menu).items] == [("TOMATE", 2)]
    assert [(i.product.sku, i.quantity) for i in read_order("2 kg de naranjas", menu).items] == [("NARANJAS", 1)]


@pytest.mark.parametrize(
    ("text", "referents", "expected"),
    [
        ("2 margaritas y una coca para cada una", Referents(), [("PZ-MAR", 2), ("COCA", 2)]),
        ("una coca para cada uno", Referents(people=3), [("COCA", 3)]),
        ("una coca para cada uno", Referents(last=4), [("COCA", 4)]),
        ("y cocas pa las 3", Referents(last=3), [("COCA", 3)]),
        ("y una coca pa las 3", Referents(last=2), [("COCA", 1)]),  # three o'clock: nothing counts three
        ("una margarita, una pepperoni y coca for both", Referents(), [("PZ-MAR", 1), ("PZ-PEP", 1), ("COCA", 2)]),
        ("una margarita y una coca for both", Referents(last=2), [("PZ-MAR", 1)]),  # as written, never two cokes
        ("y una coca pa una de las margaritas", Referents(last=2), [("COCA", 1)]),  # what it goes with, no pizza
    ],
)
def test_one_for_each_counts_the_items_or_the_people_before(
    text: str, referents: Referents, expected: list[tuple[str, int]]
) -> None:
    said = read_order(text, MENU, referents=referents)
    assert [(i.product.sku, i.quantity) for i in said.items] == expected


def test_the_people_said_are_read() -> None:
    assert read_order("hola, somos 4 personas", MENU).people == 4
