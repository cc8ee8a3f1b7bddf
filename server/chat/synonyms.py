"""Built-in other names of common drinks and dishes (`synonyms.toml`, data, not code).

A product whose name starts with one of an entry's `names` is also called each of its `also`
("Coca-Cola 600 ml" is also "coca" and "coke"). Starts with, not contains: "Brownie con helado"
is a brownie, and a customer's "un helado" must not become one. `with_builtin_synonyms` adds them to a menu's
products after the tenant's own aliases, leaving out any that is already a product's name or a
tenant's alias, so what the tenant wrote always wins. Pure: the file is read once, at first use.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from comandia.server.chat.model import CatalogView
from comandia.shared.domain.names import match_key


@dataclass(frozen=True)
class Synonym:
    names: tuple[str, ...]
    """Match keys: a product name starting with one of them (whole words) gets `also`."""
    also: tuple[str, ...]
    """What customers also call it, as written in the file."""

    def applies_to(self, name: str) -> bool:
        padded = f"{match_key(name)} "
        return any(padded.startswith(f"{key} ") for key in self.names)


@cache
def builtin_synonyms() -> tuple[Synonym, ...]:
    """The entries of `synonyms.toml`, read at first use (never at import)."""
    text = resources.files("comandia.server.chat").joinpath("synonyms.toml").read_text("utf-8")
    return tuple(
        Synonym(names=tuple(match_key(n) for n in entry["names"]), also=tuple(entry["also"]))
        for entry in tomllib.loads(text)["product"]
    )


def builtin_aliases(name: str) -> tuple[str, ...]:
    """The built-in other names of a product called `name`, without repeats or the name itself."""
    found: dict[str, str] = {match_key(name): name}
    for synonym in builtin_synonyms():
        if synonym.applies_to(name):
            for alias in synonym.also:
                found.setdefault(match_key(alias), alias)
    return tuple(list(found.values())[1:])


def with_builtin_synonyms(catalog: CatalogView) -> CatalogView:
    """`catalog` with each product's built-in other names after its own aliases.

    A built-in name that is a product's name or a tenant alias anywhere on the menu is left out:
    on a menu with a product called "Coca" the tenant's product keeps that word to itself.
    """
    taken = {match_key(n) for p in catalog.products for n in (p.name, *p.aliases)}
    products = []
    for product in catalog.products:
        extra = tuple(a for a in builtin_aliases(product.name) if match_key(a) not in taken)
        products.append(replace(product, aliases=product.aliases + extra) if extra else product)
    return replace(catalog, products=tuple(products))
