"""The matcher leaves out only products no reading can use (`matching.ProductIndex._match`).

Scoring every candidate of a common word ("grande" on a menu of sizes) is what made a turn slow;
the matcher stops once the products left cannot be taken, asked about or chosen among the cart's
lines. Here every phrase of the public corpus is matched both ways, on every corpus menu and on one
of 500 products, and the short list must be the complete one with only such products taken out.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from comandia.server.chat import matching
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import SURE, WIDE_MARGIN, Match, ProductIndex
from comandia.server.chat.model import CatalogView, CategoryView
from comandia.server.chat.reading import read_order
from tests.server.chat.corpus import PUBLIC, load_chats, load_menus

SIZES = ("", "grande", "chico", "doble", "familiar")


# The menus the big menu is grown from, named so that it stays the same menu when the corpus gains
# menus: a new shop (a boba tea house, a fonda) sorted in front moved which 500 products were kept,
# and with them what a size word alone matches.
SEED_MENUS = (
    "bagels",
    "cafe",
    "carniceria",
    "carnitas",
    "churreria",
    "completos",
    "farmacia",
    "floreria",
    "foodtruck",
    "hamburguesas",
    "jugos",
    "jugueria",
    "mariscos",
    "minisuper",
    "panaderia",
    "papeleria",
    "parrilla",
    "pizzeria",
    "polleria",
    "pollos",
    "sushi",
    "tapas",
    "taqueria",
    "tienda",
)


def sized_menu(size: int) -> CatalogView:
    """`size` distinct products: the seed menus' own, each again with a size word."""
    menus = load_menus()
    seeds = [p for name in SEED_MENUS for p in menus[name].catalog.products]
    named = [(f"{seed.name} {word}".strip(), seed) for word in SIZES for seed in seeds]
    unique = list(dict((name, seed) for name, seed in named).items())[:size]
    products = tuple(
        replace(seed, sku=f"P{n}", name=name, price=Decimal("10"), category_id=1)
        for n, (name, seed) in enumerate(unique)
    )
    return CatalogView(categories=(CategoryView(1, "Todo"),), products=products)


def phrases(catalog: CatalogView) -> set[tuple[tuple[str, ...], bool]]:
    """Every (words, exact) the reader asks the matcher about over the public corpus."""
    asked: set[tuple[tuple[str, ...], bool]] = set()
    real = ProductIndex.match

    def recording(self: ProductIndex, typed: list[str], synonyms: dict[str, str] | None = None,
                  exact: bool = True) -> list[Match]:  # fmt: skip
        asked.add((tuple(typed), exact))
        return real(self, typed, synonyms, exact)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ProductIndex, "match", recording)
        for chat in load_chats(PUBLIC):
            for text in chat.turns:
                read_order(text, catalog)
    return asked


def needed(complete: list[Match]) -> list[Match]:
    """The matches a reading may use: the first two, every one explaining the typed words, and every
    one within the widest margin the reader compares by."""
    if not complete:
        return []
    top = complete[0].score
    return [m for i, m in enumerate(complete) if i < 2 or m.typed >= SURE or m.score >= top - WIDE_MARGIN]


def catalogs() -> list[CatalogView]:
    return [sized_menu(500), *(menu.catalog for menu in load_menus().values())]


@pytest.mark.parametrize("catalog", catalogs(), ids=lambda c: f"{len(c.products)} products")
def test_the_matcher_leaves_out_only_products_no_reading_uses(catalog: CatalogView) -> None:
    index = ProductIndex(catalog)
    synonyms = lexicon().synonyms
    left_out = 0
    for typed, exact in sorted(phrases(catalog)):
        short = index._match(list(typed), synonyms, exact)
        complete = index._match(list(typed), synonyms, exact, complete=True)
        remaining = iter(complete)
        assert all(match in remaining for match in short), typed  # the same matches, in the same order
        assert set(needed(complete)) <= set(short), typed
        left_out += len(complete) - len(short)
    if len(catalog.products) >= 500:
        assert left_out > 0  # the short cut is taken where it matters


def test_a_common_size_word_on_a_big_menu_scores_few_products() -> None:
    catalog = sized_menu(500)
    index = matching.ProductIndex(catalog)
    typed = ["jugo", "naranja", "grande"]
    short = index._match(typed, lexicon().synonyms, True)
    complete = index._match(typed, lexicon().synonyms, True, complete=True)
    assert short[0] == complete[0]
    assert len(short) * 10 < len(complete)


def test_spanish_words_read_an_english_menu_but_a_word_of_the_menu_means_itself() -> None:
    """`lexicon.toml`'s synonyms read backwards ("grandes" -> "large") name an English menu's
    products; on a Spanish menu "agua" stays "agua", not the water whose built-in alias is "water"."""
    menus, synonyms = load_menus(), lexicon().synonyms
    wings = ProductIndex(menus["wings"].catalog)
    assert wings.match(["papas", "grandes"], synonyms)[0].product.sku == "FRIES-L"
    bagels = ProductIndex(menus["bagels"].catalog)
    assert bagels.match(["cafe", "chico"], synonyms)[0].product.sku == "COF-S"
    waters = ProductIndex(menus["parrilla"].catalog).match(["agua"], synonyms)
    assert {m.product.sku for m in waters[:2]} == {"AGUA-SG", "AGUA-CG"}
    assert waters[0].score - waters[1].score < matching.MARGIN  # asked which, not taken
    assert "te" not in lexicon().backwards  # a pronoun too: `one_way`
