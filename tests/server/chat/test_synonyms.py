"""Built-in synonyms (server/chat/synonyms.toml): only names that cannot be wrong, and the tenant's win."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from comandia.server.chat.model import CatalogView, CategoryView, ProductView
from comandia.server.chat.synonyms import (
    builtin_aliases,
    builtin_synonyms,
    extra_aliases,
    kind_words,
    with_builtin_synonyms,
)
from comandia.shared.domain.names import match_key

# Words that name several products, or different things by country: never a built-in synonym.
NEVER = {"refresco", "refrescos", "soda", "sodas", "agua", "bebida", "postre", "batido", "torta",
         "agua mineral", "pastel", "tortilla", "frutilla", "jugo", "cafe", "pizza", "taco", "tacos"}  # fmt: skip


def menu(*products: tuple[str, str, tuple[str, ...]]) -> CatalogView:
    return CatalogView((), tuple(ProductView(sku, name, Decimal(1), aliases=a) for sku, name, a in products))


def test_the_file_reads_and_says_nothing_ambiguous() -> None:
    synonyms = builtin_synonyms()
    assert len(synonyms) >= 15
    for synonym in synonyms:
        assert synonym.names and all(synonym.names) and synonym.also
        for alias in synonym.also:
            assert match_key(alias) and match_key(alias) not in NEVER, alias
            assert "|" not in alias and ";" not in alias and len(alias) <= 60  # a tenant alias's rules


def test_brands_and_dishes_get_their_other_names() -> None:
    assert {"coca", "coke", "coquita"} <= set(builtin_aliases("Coca-Cola 600 ml"))
    assert {"coca", "coke"} <= set(builtin_aliases("COCA COLA lata"))
    assert {"chela", "beer"} <= set(builtin_aliases("Cerveza Corona 355 ml"))
    assert {"hotdog", "perro caliente", "jocho"} <= set(builtin_aliases("Hot dog jumbo"))
    assert "hamburguesa" in builtin_aliases("Burger clásica")
    assert "Coca-Cola 600 ml" not in builtin_aliases("Coca-Cola 600 ml")
    # A name that only mentions it is not that product: a brownie is not an ice cream.
    assert builtin_aliases("Brownie con helado") == ()
    assert builtin_aliases("Pizza hawaiana") == ()
    assert builtin_aliases("Refresco de cola") == ()


def test_the_tenants_own_names_and_aliases_win() -> None:
    catalog = with_builtin_synonyms(
        menu(
            ("COCA", "Coca-Cola 600 ml", ("refri",)),
            ("C2", "Coca", ()),
            ("JOCHO", "Hot dog", ()),
            ("PERRO", "Perrito", ("perro caliente",)),
        )  # fmt: skip
    )
    products = {p.sku: p.aliases for p in catalog.products}
    assert products["COCA"][0] == "refri" and "coke" in products["COCA"] and "coca" not in products["COCA"]
    assert products["C2"] == ()
    assert "perro caliente" not in products["JOCHO"] and "jocho" in products["JOCHO"]
    assert products["PERRO"] == ("perro caliente",)
    # Two Coca-Colas both get "coca": the bot asks which one.
    both = with_builtin_synonyms(menu(("A", "Coca-Cola 600 ml", ()), ("B", "Coca-Cola 2 l", ())))
    assert all("coca" in p.aliases for p in both.products)


def test_words_for_a_kind_go_to_every_product_of_that_kind_and_only_to_them() -> None:
    assert {"gaseosa", "refresco"} <= set(kind_words("Coca-Cola 600 ml")) and "bebida" in kind_words("Bilz lata")
    assert {"cerveza", "chela", "birra"} <= set(kind_words("Cerveza Club Colombia"))
    # "pola" is `alike`: its key is that of "polo", a typed "pollo", so no menu that sounds like it gets it
    assert "pola" in extra_aliases([("Cerveza Club Colombia", ()), ("Coca-Cola", ())])[0]
    assert "pola" not in extra_aliases([("Cerveza Club Colombia", ()), ("Pollo entero", ())])[0]
    assert "cerveza" in kind_words("Caña") and "cerveza" in kind_words("Doble de cerveza")
    # Only a whole "Caña" is a beer (a Paraguayan caña is a spirit); "Chop suey" is no schop.
    assert kind_words("Caña Aristócrata") == () and kind_words("Chop suey") == ()
    assert kind_words("Paquete familiar") == () and kind_words("Refresco de cola") != ()
    drink = kind_words("Agua de jamaica", "Bebidas")
    assert "bebida" in drink and "gaseosa" not in drink and "cerveza" not in drink
    drinks = menu(("COCA", "Coca-Cola lata", ()), ("JAM", "Agua de jamaica", ()), ("GAS", "Gaseosa", ()))
    catalog = CatalogView((CategoryView(1, "Bebidas"),), tuple(replace(p, category_id=1) for p in drinks.products))
    aliases = {p.sku: p.aliases for p in with_builtin_synonyms(catalog).products}
    # The tenant's "Gaseosa" keeps its name to itself; every drink is a "bebida".
    assert "gaseosa" not in aliases["COCA"] and "refresco" in aliases["COCA"]
    assert "bebida" in aliases["COCA"] and "bebida" in aliases["JAM"] and "bebida" in aliases["GAS"]
