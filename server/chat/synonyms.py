"""Built-in other names of common drinks and dishes, and words for kinds of product (`synonyms.toml`,
data, not code).

A product whose name starts with one of an entry's `names` is also called each of its `also`
("Coca-Cola 600 ml" is also "coca" and "coke"). Starts with, not contains: "Brownie con helado"
is a brownie, and a customer's "un helado" must not become one. `extra_aliases` gives them for a
menu (the server's `load_catalog` adds them after the tenant's aliases); `with_builtin_synonyms`
does the same to a whole `CatalogView` (the chat corpus). They come after the tenant's own
aliases, leaving out any that is already a product's name or a tenant's alias, so what the
tenant wrote wins. A kind's words ("gaseosa", "chela", "bebida") go to every product of that kind
on the menu: one soft drink is "la gaseosa", several are asked about. Pure: the file is read
once, at first use.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import index_for, words
from comandia.server.chat.matching import key as phonetic
from comandia.server.chat.model import CatalogView, ProductView
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


@dataclass(frozen=True)
class Kind:
    """A kind of product ("gaseosa", "cerveza", "bebida"): its words go to every product of it."""

    words: tuple[str, ...]
    """What customers call any product of the kind, as written in the file."""
    names: tuple[str, ...] = ()
    """Match keys: a product name starting with one of them (whole words) is of the kind."""
    whole: tuple[str, ...] = ()
    """Match keys: a product name that is exactly one of them is of the kind."""
    categories: tuple[str, ...] = ()
    """Match keys of category names whose products are of the kind."""
    includes: tuple[str, ...] = ()
    """The first words of other kinds whose products are of this kind too (a gaseosa is a bebida)."""
    alike: tuple[str, ...] = ()
    """Words of the kind given only on a menu none of whose name words sounds like them ("pola" is
    a beer, but "polo" is how "pollo" is typed): see `extra_aliases`."""

    def holds(self, name: str, category: str) -> bool:
        named = match_key(name)
        padded = f"{named} "
        return (
            named in self.whole
            or any(padded.startswith(f"{key} ") for key in self.names)
            or (bool(category) and match_key(category) in self.categories)
            or any(kind.holds(name, category) for kind in builtin_kinds() if kind.words[0] in self.includes)
        )


@cache
def builtin_kinds() -> tuple[Kind, ...]:
    """The [[kind]] entries of `synonyms.toml`, read at first use (never at import)."""
    text = resources.files("comandia.server.chat").joinpath("synonyms.toml").read_text("utf-8")
    return tuple(
        Kind(
            words=tuple(entry["words"]),
            names=tuple(match_key(n) for n in entry.get("names", ())),
            whole=tuple(match_key(n) for n in entry.get("whole", ())),
            categories=tuple(match_key(c) for c in entry.get("categories", ())),
            includes=tuple(entry.get("includes", ())),
            alike=tuple(entry.get("alike", ())),
        )
        for entry in tomllib.loads(text).get("kind", ())
    )


@cache
def every_kind_word() -> frozenset[str]:
    """Every kind's words, folded ("gaseosa", "chela", "bebida"): what names a product by its kind."""
    return frozenset(match_key(word) for kind in builtin_kinds() for word in (*kind.words, *kind.alike))


@lru_cache(maxsize=50_000)
def kind_words(name: str, category: str = "") -> tuple[str, ...]:
    """The words of every kind a product called `name`, in category `category`, is of."""
    found: dict[str, str] = {}
    for kind in builtin_kinds():
        if kind.holds(name, category):
            for word in (*kind.words, *kind.alike):
                found.setdefault(_key(word), word)
    return tuple(found.values())


def builtin_aliases(name: str) -> tuple[str, ...]:
    """The built-in other names of a product called `name`, without repeats or the name itself."""
    return tuple(alias for alias, _ in _keyed_aliases(name))


@lru_cache(maxsize=50_000)
def _keyed_aliases(name: str) -> tuple[tuple[str, str], ...]:
    """(alias, its match key) of `builtin_aliases`; cached: the menu is read on every turn and
    product names rarely change."""
    found: dict[str, str] = {_key(name): name}
    for synonym in builtin_synonyms():
        if synonym.applies_to(name):
            for alias in synonym.also:
                found.setdefault(_key(alias), alias)
    return tuple((alias, key) for key, alias in list(found.items())[1:])


@lru_cache(maxsize=200_000)
def _key(text: str) -> str:
    return match_key(text)


def extra_aliases(
    products: Sequence[tuple[str, tuple[str, ...]]], categories: Sequence[str | None] = ()
) -> list[tuple[str, ...]]:
    """For each product given as (name, its own aliases): the built-in names to add after its own,
    then the words of the kinds it is of (`categories`: each product's category name, if known).

    A built-in name that is a product's name or a tenant alias anywhere on the menu is left out:
    on a menu with a product called "Coca" the tenant's product keeps that word to itself. Runs
    on every turn, so it builds no objects: the caller puts the names where they belong.
    """
    named = list(categories) + [None] * (len(products) - len(categories))
    keyed = [
        _keyed_aliases(name) + _keyed_kind_words(name, category or "")
        for (name, _), category in zip(products, named, strict=True)
    ]
    if not any(keyed):
        return [() for _ in products]  # a menu without any dish the file knows: nothing to compare
    taken = {_key(n) for name, aliases in products for n in (name, *aliases)}
    if any(key in _alike_keys() for pairs in keyed for _, key in pairs):
        taken |= _sounding_alike(tuple(products))
    return [tuple(dict.fromkeys(alias for alias, key in pairs if key not in taken)) for pairs in keyed]


@cache
def _alike_keys() -> frozenset[str]:
    return frozenset(_key(word) for kind in builtin_kinds() for word in kind.alike)


@lru_cache(maxsize=64)
def _sounding_alike(products: tuple[tuple[str, tuple[str, ...]], ...]) -> frozenset[str]:
    """The `alike` kind words (as match keys) that some word of the menu's names sounds like, by the
    reader's phonetic key: on a menu with "Pollo" ("un polo"), "pola" is no beer. Cached: the menu
    is read on every turn and rarely changes."""
    said = {phonetic(word) for name, aliases in products for n in (name, *aliases) for word in words(n)}
    return frozenset(
        _key(word) for kind in builtin_kinds() for word in kind.alike if _sounds_like_one(phonetic(word), said)
    )


def _sounds_like_one(word_key: str, keys: set[str]) -> bool:
    """Whether a phonetic key is near one of `keys` as a typo is: the same start and mostly the same
    letters ("pol", which "polo" typed for "pollo" is, and "poy", which "pollo" is; not "kol", "cola")."""
    near = [k for k in keys if k[:2] == word_key[:2]]
    return process.extractOne(word_key, near, scorer=fuzz.ratio, score_cutoff=_ALIKE) is not None


_ALIKE = 60
"""How alike (rapidfuzz ratio) two phonetic keys with the same start must be: "pol"/"poy" are 67."""


@lru_cache(maxsize=50_000)
def _keyed_kind_words(name: str, category: str) -> tuple[tuple[str, str], ...]:
    return tuple((word, _key(word)) for word in kind_words(name, category))


def with_builtin_synonyms(catalog: CatalogView) -> CatalogView:
    """`catalog` with each product's built-in other names after its own aliases (`extra_aliases`)."""
    category_names = {c.id: c.name for c in catalog.categories}
    extras = extra_aliases(
        [(p.name, p.aliases) for p in catalog.products],
        [category_names.get(p.category_id) if p.category_id is not None else None for p in catalog.products],
    )
    products = tuple(
        replace(p, aliases=p.aliases + extra) if extra else p for p, extra in zip(catalog.products, extras, strict=True)
    )
    return replace(catalog, products=products)


@cache
def _brands() -> tuple[tuple[tuple[str, ...], Kind], ...]:
    """(a brand's words as phonetic keys, its kind) of every kind that holds brands and no other
    kind ("sprite" of the soft drinks, "corona" of the beers; not the drinks, which include them):
    the entries of its `names` that hold none of its own words ("lata de cerveza" is no brand)."""
    found: list[tuple[tuple[str, ...], Kind]] = []
    for kind in builtin_kinds():
        if kind.includes:
            continue
        own = {phonetic(w) for said in kind.words for w in words(said)}
        for name in kind.names:
            said = tuple(phonetic(w) for w in words(name))
            if said and not own & set(said):
                found.append((said, kind))
    return tuple(found)


def branded(catalog: CatalogView, typed: Sequence[str]) -> tuple[bool, tuple[ProductView, ...]] | None:
    """(sure, products) when the typed words are a brand of a kind the menu sells only as a generic
    product of that kind, one whose name starts with a word of the kind and holds no brand ("2 cans
    of sprite" where the can is «Refresco de lata»; "una fanta" where it is «Bebida en lata"): sure
    when its description offers the brand («Coca-Cola, Sprite o Fanta»), else asked about (the
    customer says if that generic one will do). None when the words are no brand, or no such
    product is on the menu, or its description offers choices and not this one (a Sprite is none
    of the Jarritos of a «Refresco de sabor»). The brand is the line's note: the kitchen's choice."""
    said = tuple(phonetic(w) for w in typed if w not in _GLUE)
    kinds = [kind for brand, kind in _brands() if brand == said]
    if not said or not kinds:
        return None
    # The menu's generic products are found once per menu (`_generic_products`); a turn only
    # picks the ones of the brand's kinds whose description does not offer other choices.
    generic = [
        found for found in index_for(catalog).derived(_generic_products)
        if any(k is kind or kind.words[0] in k.includes for k in found.kinds for kind in kinds)
        and not (found.offers and not set(said) <= found.offered)
    ]  # fmt: skip
    if not generic:
        return None
    sure = len(generic) == 1 and set(said) <= generic[0].offered
    return sure, tuple(catalog.products[found.position] for found in generic)


@dataclass(frozen=True)
class _Generic:
    """A product of the menu a brand of its kind may be served as (see `branded`)."""

    position: int
    """Where it is in the menu's products."""
    kinds: tuple[Kind, ...]
    """The kinds that hold it and one of whose words is the first of its name («Refresco de lata»:
    the soft drinks'); the rest of the name says only how it comes."""
    offers: bool
    """Whether its description lists what to choose from («Coca-Cola, Sprite o Fanta»)."""
    offered: frozenset[str]
    """The phonetic keys of its description's words."""


def _generic_products(catalog: CatalogView) -> tuple[_Generic, ...]:
    """Every product of `catalog` that is a generic one of some kind, in menu order: built once per
    menu (`ProductIndex.derived`), since asking every kind of every product on each brand typed
    was most of a long turn's time on a menu of hundreds."""
    categories = {c.id: c.name for c in catalog.categories}
    found: list[_Generic] = []
    for position, product in enumerate(catalog.products):
        name = words(product.name)
        if not name or not _generic(name[1:]):
            continue
        category = categories.get(product.category_id, "") if product.category_id is not None else ""
        head = phonetic(name[0])
        kinds = tuple(k for k in builtin_kinds() if head in _heads(k) and k.holds(product.name, category))
        if kinds:
            offered = frozenset(phonetic(w) for w in words(product.description))
            found.append(_Generic(position, kinds, _OFFERS.search(product.description) is not None, offered))
    return tuple(found)


@cache
def _heads(kind: Kind) -> frozenset[str]:
    """The phonetic keys of the first word of each of a kind's words ("refresco de lata": refresk)."""
    return frozenset(phonetic(w) for said in kind.words for w in words(said)[:1])


def _generic(rest: list[str]) -> bool:
    """Whether the words of a name after its kind's word say only how it comes: in a can, of a
    flavour, its size («Refresco de lata», «Bebida en lata», «Refresco de vidrio 355 ml»); not a
    brand («Cerveza Pacífico», «Refresco Sprite»)."""
    portions = lexicon().portions
    return all(w in _GLUE or w in portions or w in _HOW_IT_COMES or w.isdigit() for w in rest)


_HOW_IT_COMES = frozenset({
    "en", "sabor", "sabores", "vidrio", "barril", "grifo", "ml", "l", "lt", "oz", "personal", "chico", "chica",
    "mediano", "mediana", "grande", "small", "medium", "large", "can", "canned",
})  # fmt: skip


_GLUE = frozenset({"de", "of", "del", "la", "el", "the", "a", "un", "una"})
_OFFERS = re.compile(r"\b(?:o|or|u)\b|,", re.IGNORECASE)
"""A description that lists what to choose from ("Coca-Cola, Sprite o Fanta", "Jarritos de tamarindo,
mandarina o piña")."""
