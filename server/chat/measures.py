"""Quantities and sizes said in measures: kilos, litres, dozens, packs.

"un kilo de tortillas" where the menu sells "Tortillas medio kilo" is two of them, and "2 litros
de agua" of an "Agua de horchata medio litro" is four: read as one, the cart would silently hold
half of what was asked. A measure the customer says in the product's own fraction ("medio kilo de
tortillas") is one of it, as is anything sold whole ("un kilo de carnitas" of "Carnitas kilo").

A size said with a count before it ("a 2 liter coke", "una coca de dos litros") picks the product
of that measure, and a count said in dozens or six-packs of a product that is itself the dozen or
the pack ("dos docenas de huevos" of "Huevos L docena") is that many of it, not twelve times more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from comandia.server.chat.matching import index_for, words
from comandia.server.chat.model import CatalogView, ProductView, fold

_WHOLE = {"kilo": "kilo", "kilos": "kilo", "kg": "kilo", "litro": "litro", "litros": "litro", "lt": "litro",
          "lts": "litro", "l": "litro", "liter": "litro", "liters": "litro", "pound": "libra", "pounds": "libra",
          "lb": "libra", "lbs": "libra", "libra": "libra", "libras": "libra"}  # fmt: skip
_FRACTIONS = {"medio": 2, "media": 2, "half": 2, "cuarto": 4, "quarter": 4}


def per_unit(product: ProductView, said: list[str]) -> int:
    """How many of `product` one measure the customer said is (folded words of the part): 2 for
    "kilo" of a half-kilo product, 4 of a quarter-kilo one, 2 for "medio kilo" of a quarter;
    else 1 (a measure smaller than the product's is the product: its smallest sale)."""
    unit = next((_WHOLE[word] for word in said if word in _WHOLE), None)
    if unit is None:
        return 1
    asked = next((_FRACTIONS[word] for word in said if word in _FRACTIONS), 1)
    name = [word for word in words(product.name) if word != "de"]  # "cuarto de kilo"
    for fraction, measure in zip(name, name[1:], strict=False):
        if fraction in _FRACTIONS and _WHOLE.get(measure) == unit and _FRACTIONS[fraction] % asked == 0:
            return _FRACTIONS[fraction] // asked
    return 1


_PER_UNIT = {"ml": 1, "l": 1000, "lt": 1000, "lts": 1000, "litro": 1000, "litros": 1000, "liter": 1000,
             "liters": 1000, "litre": 1000, "litres": 1000, "g": 1, "gr": 1, "grs": 1, "gramos": 1, "kg": 1000,
             "kilo": 1000, "kilos": 1000, "oz": 30}  # fmt: skip
"""Millilitres or grams in one of each unit a customer writes a size in."""


def amount_said(count: float, unit: str) -> float | None:
    """The size `count` `unit` is, in millilitres or grams ("dos litros" -> 2000); None when the
    folded word is no unit."""
    per = _PER_UNIT.get(unit)
    return count * per if per is not None else None


def sized_by_amount(catalog: CatalogView, named: tuple[ProductView, ...], amount: float) -> ProductView | None:
    """The product of the measured family of `named` whose measure is `amount` ("una coca de dos
    litros" among "Coca-Cola 600 ml" and "Coca-Cola 2 litros"; "1/2 kg de picada" among the 500 g
    and the 1 kg packs); None when no product, or more than one family, has it."""
    menu = _measures_of(catalog)
    families = {family for p in named if (family := _unmeasured(p.name)) is not None}
    measured = sorted(at for family in families for at in menu.by_unmeasured.get(family, ()))  # in menu order
    fits = [catalog.products[at] for at in measured if menu.amounts[at] == amount]
    return fits[0] if len(fits) == 1 else None


_COLLECTIVES = {"docena": 12, "dozen": 12, "six": 6, "sixpack": 6}


def sold_as(product: ProductView, counted_in: int) -> bool:
    """Whether one `product` is the whole collective the customer counted in: a dozen (12) of
    "Huevos L docena" or "Docena de facturas", a six-pack (6) of "Cerveza Mahou pack 6 latas"."""
    name = words(product.name)
    if any(_COLLECTIVES.get(word) == counted_in for word in name):
        return "media" not in name and "medio" not in name  # "Media docena de …" is six
    return any(word in ("pack", "packs") and str(counted_in) in name[at - 1 : at + 2] for at, word in enumerate(name))


_PIECES = re.compile(r"\b(\d+)\s*(?:pc|pcs|pz|pza|pzas|pzs|piezas|pieces|piece|unidades|units)\b")


def piece_count(product: ProductView) -> int | None:
    """How many pieces one `product` is, from its name or description ("Boneless wings 8 pc",
    "10 piezas"): "8 boneless" is one of the 8 pc, not eight of them. Below 3 (a pair of nigiris)
    the customer may mean that many portions, so it counts for nothing."""
    found = _PIECES.search(fold(f"{product.name} {product.description}"))
    return int(found.group(1)) if found is not None and int(found.group(1)) >= 3 else None


_NAMED_AMOUNT = re.compile(
    r"(?:(\d+)\s*/\s*(\d+)\s*|\b(medio|media|cuarto)\s+(?:de\s+)?)?\b(kg|kilos?|l|lts?|litros?)\b"
)


def unit_amount(product: ProductView) -> float | None:
    """The grams or millilitres one `product` is, from its name ("Asado de tira 1 kg", "Chipá 1/4
    kg", "Kilo de huevo", "Tortillas medio kilo", "Agua de jamaica litro"); None when it names none."""
    amount = _amount(product.name)
    if amount is not None and "/" not in product.name:
        return amount
    found = _NAMED_AMOUNT.search(fold(product.name))
    if found is None:
        return None
    whole = 1000.0
    if found.group(1):
        return whole * int(found.group(1)) / max(int(found.group(2)), 1)
    return whole / _FRACTIONS[found.group(3)] if found.group(3) else whole


def whole_units(product: ProductView, quantity: int, part_measure: float | None, counted_in: int,
                of_item: bool) -> int | None:  # fmt: skip
    """How many of `product` an amount the customer said is (`quantity` times `part_measure`:
    "medio kilo de bizcochitos" of the 1/4 kg bag is 2), 0 when nothing was measured against the
    product's own measure, None when it is no whole number of them: "kilo y medio de asado" of the
    1 kg pack, "medio kilo de huevo" of the kilo, "media docena" of the dozen, "una coca de 3
    litros" (`of_item`: the size of one) of the 600 ml. Those are asked about, never rounded in
    silence."""
    if counted_in and sold_as(product, counted_in):
        return quantity // counted_in if quantity % counted_in == 0 else None
    size = unit_amount(product) if part_measure else None
    if not part_measure or not size:
        return 0
    if of_item:
        return quantity if abs(part_measure - size) < 1e-6 else None
    units = part_measure * quantity / size
    return round(units) if abs(units - round(units)) < 1e-6 and round(units) >= 1 else None


_BIG = frozenset({"grande", "grandes", "large", "big", "familiar", "jumbo"})
_SMALL = frozenset({"chico", "chica", "chicos", "chicas", "small", "personal", "chiquito", "chiquita"})
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ml|l|lt|lts|litros?|g|gr|kg|kilos?|oz)\b")


def measured_size(catalog: CatalogView, line: ProductView, said: list[str]) -> ProductView | None:
    """The biggest ("grande", "large") or smallest ("chica") of the products that differ from
    `line` only by their measure ("Inca Kola 500 ml", "Inca Kola 1,5 litros"), when the customer
    says a size the menu writes as a measure; None when `said` is no such size, the line has no
    measure, or it already is that one."""
    wanted = set(said)
    if not wanted or not (wanted <= _BIG or wanted <= _SMALL):
        return None
    family = _unmeasured(line.name)
    if family is None:
        return None
    menu = _measures_of(catalog)
    sized = [
        (amount, catalog.products[at]) for at in menu.by_unmeasured.get(family, ()) if (amount := menu.amounts[at])
    ]
    if len(sized) < 2:
        return None
    pick = max(sized, key=lambda pair: pair[0]) if wanted <= _BIG else min(sized, key=lambda pair: pair[0])
    return pick[1] if pick[1].sku != line.sku else None


def _amount(name: str) -> float | None:
    found = _AMOUNT.search(fold(name))
    return float(found.group(1).replace(",", ".")) * _PER_UNIT[found.group(2)] if found else None


def _unmeasured(name: str) -> str | None:
    """The name without its measure ("inca kola"), or None when it has none."""
    folded = fold(name)
    return " ".join(_AMOUNT.sub(" ", folded).split()) if _AMOUNT.search(folded) else None


_MEASURE_WORDS = frozenset({*_WHOLE, *_FRACTIONS, *_PER_UNIT, "de", "por", "bolsa", "pack", "paquete"})
"""Words of a name that say its measure, not what it is ("Carne picada especial 500 g": 500, g)."""


def _family(product: ProductView) -> tuple[str, ...]:
    """What a product is, without its measure: "Carne picada especial 1 kg" and "… 500 g" are
    both ("carne", "picada", "especial"); "Helado 1/4 kg" and "Helado 1 kg" are ("helado",)."""
    return tuple(w for w in words(product.name) if w not in _MEASURE_WORDS and not w.isdigit())


def in_packs(catalog: CatalogView, named: tuple[ProductView, ...], amount: float) -> list[tuple[ProductView, int]]:
    """The packs of one measured family that make `amount` grams or millilitres exactly, biggest
    first: "kilo y medio de picada" is one 1 kg and one 500 g pack, "2 kilos y medio" two and one.
    Empty when `named` is not one family of two sizes or more, or no sum of them is the amount:
    then it is asked about, never rounded."""
    families = {_family(p) for p in named}
    if len(families) != 1:
        return []
    family = families.pop()
    menu = _measures_of(catalog)
    sizes = sorted(((size, p) for at in menu.by_family.get(family, ()) if (p := catalog.products[at]).available
                    and (size := menu.unit_amounts[at])), key=lambda pair: -pair[0])  # fmt: skip
    if len({size for size, _ in sizes}) != len(sizes) or len(sizes) < 2:
        return []  # two products of one size ("Helado 1 kg" of two brands): which one is asked
    packs: list[tuple[ProductView, int]] = []
    left = amount
    for size, product in sizes:
        count = int((left + 1e-6) // size)
        if count:
            packs.append((product, count))
            left -= count * size
    return packs if abs(left) < 1e-6 and len(packs) > 1 else []


def only_measure(said: list[str]) -> bool:
    """Whether a part's words say an amount and nothing else ("kilo", "medio kilo"): on a menu
    whose names hold those words they still name no product by themselves."""
    return all(w in _WHOLE or w in _FRACTIONS or w in _PER_UNIT or w in ("de", "y") for w in said)


def collective_of(
    catalog: CatalogView, typed_keys: set[str], counted_in: int, key_of: Callable[[str], str]
) -> ProductView | None:
    """The one product that is the whole collective the customer counted in and names only what
    they typed ("a dozen bagels": the Dozen bagels; "una docena de tamales": the Docena de tamales
    surtidos); None when none or several are. "a dozen plain bagels" names more than the Dozen
    bagels does: twelve plain bagels."""
    menu = _measures_of(catalog)
    fits = [p for at in menu.collectives if sold_as(p := catalog.products[at], counted_in)
            and typed_keys <= {key_of(w) for w in words(p.name)}]  # fmt: skip
    return fits[0] if typed_keys and len(fits) == 1 else None


_HELD = re.compile(r"(\d+)\s+([^\W\d_]+)")


def held_in_pack(product: ProductView, typed_keys: set[str], key_of: Callable[[str], str]) -> int:
    """How many of the unit the customer counted in one pack `product` holds: 6 when "latas" is
    typed for "Cerveza Mahou pack 6 latas", 10 for "tabletas" of "… x 10 tabletas"; 0 when the
    customer did not count in a unit its name holds ("2 mahou" are two packs). `typed_keys`: the
    typed words and their keys."""
    for found in _HELD.finditer(fold(product.name)):
        count, unit = found.group(1), found.group(2)
        if unit in _PER_UNIT or unit in _WHOLE or _PIECES.fullmatch(f"{count} {unit}") or count in typed_keys:
            continue  # a size ("2 litros"), the pieces `piece_count` reads, or the name typed whole ("4 rollos")
        if int(count) >= 2 and key_of(unit) in typed_keys:
            return int(count)
    return 0


_ONE = frozenset({"un", "una", "uno", "a", "an", "one"})


def amount_in(said: list[str]) -> float | None:
    """The amount folded words say in grams or millilitres ("un kilo" 1000, "medio kilo" 500,
    "litro y medio" 1500, "1,5 litros" 1500, "500 g" 500); None when they say no one amount."""
    units = [i for i, w in enumerate(said) if w in _PER_UNIT]
    if len(units) != 1:
        return None
    at = units[0]
    before = said[at - 1] if at else ""
    if before in _FRACTIONS:
        count = 1 / _FRACTIONS[before]
    elif re.fullmatch(r"\d+(?:[.,]\d+)?", before):
        count = float(before.replace(",", "."))
    elif before in _ONE or not before or before == "de":
        count = 1.0
    else:
        return None
    if said[at + 1 : at + 3] in (["y", "medio"], ["y", "media"], ["and", "a"]):
        count += 0.5  # "litro y medio"
    elif said[at + 1 : at + 2] in (["medio"], ["media"]):
        count += 0.5  # the "y" left out: "litro medio"
    return count * _PER_UNIT[said[at]]


def says_measure(product: ProductView, said: list[str]) -> bool:
    """Whether folded words say nothing but the measure one `product` is, as a customer points at
    a cart line by it: "de 600" (the Coca-Cola 600 ml), "de medio" (a half kilo or half litre),
    "de kilo", "de 500": the number its name writes, a bare half of a kilo or litre, or an amount."""
    said = [w for w in said if w != "de"]
    amount = unit_amount(product)
    if not said or amount is None:
        return False
    if said in (["medio"], ["media"], ["half"]):
        return amount == 500
    if len(said) == 1 and said[0].isdigit():
        return float(said[0]) == amount or said[0] in words(product.name)
    return amount_in(said) == amount


def resized_by_amount(catalog: CatalogView, line: ProductView, said: list[str]) -> ProductView | None:
    """The product of the line's measured family the words' amount is ("hacelo un kilo" after
    the Carne picada especial 500 g: the 1 kg pack); None when they say no amount, or it is the line's."""
    amount = amount_in(said)
    other = sized_by_amount(catalog, (line,), amount) if amount else None
    return other if other is not None and other.sku != line.sku else None


@dataclass(frozen=True)
class _MenuMeasures:
    """The measure of every product of a menu, by its position in the menu's products: worked out
    once per menu (`ProductIndex.derived`), not by reading every name again on each turn that says
    a measure (on a menu of hundreds that was a millisecond a question)."""

    amounts: tuple[float | None, ...]
    """The millilitres or grams its name writes as a number and unit ("Coca-Cola 600 ml": 600)."""
    unit_amounts: tuple[float | None, ...]
    """`unit_amount`: the same, or a measure its name says in words ("Tortillas medio kilo")."""
    by_unmeasured: dict[str, tuple[int, ...]]
    """The products with a measure, by their name without it (`_unmeasured`), in menu order."""
    by_family: dict[tuple[str, ...], tuple[int, ...]]
    """Every product, by what it is without its measure (`_family`), in menu order."""
    collectives: tuple[int, ...]
    """The products whose name says a dozen, a six-pack or a pack: the only ones `sold_as` can fit."""


def _measures_of(catalog: CatalogView) -> _MenuMeasures:
    """The menu's `_MenuMeasures`, built at its first use and kept with the menu's index."""
    return index_for(catalog).derived(_menu_measures)


def _menu_measures(catalog: CatalogView) -> _MenuMeasures:
    by_unmeasured: dict[str, list[int]] = {}
    by_family: dict[tuple[str, ...], list[int]] = {}
    collectives: list[int] = []
    for at, product in enumerate(catalog.products):
        unmeasured = _unmeasured(product.name)
        if unmeasured is not None:
            by_unmeasured.setdefault(unmeasured, []).append(at)
        by_family.setdefault(_family(product), []).append(at)
        if any(word in _COLLECTIVES or word in ("pack", "packs") for word in words(product.name)):
            collectives.append(at)
    return _MenuMeasures(
        amounts=tuple(_amount(p.name) for p in catalog.products),
        unit_amounts=tuple(unit_amount(p) for p in catalog.products),
        by_unmeasured={name: tuple(positions) for name, positions in by_unmeasured.items()},
        by_family={family: tuple(positions) for family, positions in by_family.items()},
        collectives=tuple(collectives),
    )
