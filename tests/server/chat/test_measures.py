"""Amounts said in measures against the packs a menu sells (`measures`, `reading.read_order`)."""

from __future__ import annotations

from decimal import Decimal

from comandia.server.chat.measures import in_packs
from comandia.server.chat.model import CatalogView, CategoryView, ProductView
from comandia.server.chat.reading import read_order

BUTCHER = CatalogView(
    categories=(CategoryView(1, "Carne"),),
    products=(
        ProductView("PIC-1K", "Carne picada especial 1 kg", Decimal("8900"), 1),
        ProductView("PIC-500", "Carne picada especial 500 g", Decimal("4600"), 1),
        ProductView("ASADO", "Asado de tira 1 kg", Decimal("12000"), 1),
        ProductView("CARN", "Carnitas medio kilo", Decimal("190"), 1),
        ProductView("CHICH", "Chicharrón cuarto de kilo", Decimal("75"), 1),
    ),
)


def lines(text: str, catalog: CatalogView = BUTCHER) -> list[tuple[str, int]]:
    return sorted((item.product.sku, item.quantity) for item in read_order(text, catalog).items)


def test_an_amount_is_made_of_the_packs_of_one_family() -> None:
    picada = tuple(p for p in BUTCHER.products if p.sku.startswith("PIC"))
    assert [(p.sku, n) for p, n in in_packs(BUTCHER, picada, 2500)] == [("PIC-1K", 2), ("PIC-500", 1)]
    assert in_packs(BUTCHER, picada, 1200) == []  # no sum of the packs is it: asked, never rounded
    assert in_packs(BUTCHER, picada, 1000) == []  # one pack is it: that product, no split


def test_kilo_and_a_half_is_read_as_packs_or_asked() -> None:
    assert lines("kilo y medio de picada") == [("PIC-1K", 1), ("PIC-500", 1)]
    assert lines("2 kilos y medio de carne picada especial") == [("PIC-1K", 2), ("PIC-500", 1)]
    asked = read_order("kilo y medio de asado", BUTCHER)  # one pack size only
    assert not asked.items and asked.doubts


def test_half_after_a_unit_is_half_of_that_unit() -> None:
    assert lines("medio kilo de carnitas y medio de chicharron") == [("CARN", 1), ("CHICH", 2)]


def test_an_amount_alone_is_kept_for_the_product_talked_about() -> None:
    said = read_order("ok mandame kilo y medio", BUTCHER)
    assert said.measured == ((1500, "kilo y medio"),) and not said.items and not said.doubts


def test_a_dozen_of_what_the_dozen_product_names_is_that_product() -> None:
    bakery = CatalogView(
        categories=(CategoryView(1, "Bagels"),),
        products=(
            ProductView("PLAIN", "Plain bagel", Decimal("2.25"), 1),
            ProductView("SESAME", "Sesame bagel", Decimal("2.25"), 1),
            ProductView("DOZ", "Dozen bagels", Decimal("22"), 1),
        ),
    )
    assert lines("a dozen bagels", bakery) == [("DOZ", 1)]
    assert lines("a dozen plain bagels", bakery) == [("PLAIN", 12)]


def test_an_amount_alone_ends_at_the_next_item() -> None:
    said = read_order("ok mandame kilo y medio y un kilo de asado", BUTCHER)
    assert said.measured == ((1500, "kilo y medio"),) and lines("kilo y medio y un kilo de asado") == [("ASADO", 1)]


def test_a_count_of_the_units_in_a_pack_is_that_many_units() -> None:
    shop = CatalogView(
        categories=(CategoryView(1, "Bebidas"),),
        products=(
            ProductView("MAHOU", "Cerveza Mahou pack 6 latas", Decimal("4.80"), 1),
            ProductView("COCA-2L", "Coca-Cola 2 litros", Decimal("40"), 1),
        ),
    )
    said = read_order("12 latas de mahou y 2 cocas de 2 litros", shop)
    assert [(i.product.sku, i.quantity) for i in said.items] == [("MAHOU", 2), ("COCA-2L", 2)]
    odd = read_order("9 latas de mahou", shop)  # no number of packs: asked, never 9 packs
    assert not odd.items and [d.candidates[0].sku for d in odd.doubts] == ["MAHOU"]
