"""A quantity said in kilos or litres of a product sold by the half or the quarter.

"un kilo de tortillas" where the menu sells "Tortillas medio kilo" is two of them, and "2 litros
de agua" of an "Agua de horchata medio litro" is four: read as one, the cart would silently hold
half of what was asked. A measure the customer says in the product's own fraction ("medio kilo de
tortillas") is one of it, as is anything sold whole ("un kilo de carnitas" of "Carnitas kilo").
"""

from __future__ import annotations

import re

from comandia.server.chat.matching import words
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


_BIG = frozenset({"grande", "grandes", "large", "big", "familiar", "jumbo"})
_SMALL = frozenset({"chico", "chica", "chicos", "chicas", "small", "personal", "chiquito", "chiquita"})
_ML = {"ml": 1, "l": 1000, "lt": 1000, "lts": 1000, "litro": 1000, "litros": 1000, "g": 1, "gr": 1, "kg": 1000,
       "kilo": 1000, "kilos": 1000, "oz": 30}  # fmt: skip
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
    sized = [(amount, p) for p in catalog.products if (amount := _amount(p.name)) and _unmeasured(p.name) == family]
    if len(sized) < 2:
        return None
    pick = max(sized, key=lambda pair: pair[0]) if wanted <= _BIG else min(sized, key=lambda pair: pair[0])
    return pick[1] if pick[1].sku != line.sku else None


def _amount(name: str) -> float | None:
    found = _AMOUNT.search(fold(name))
    return float(found.group(1).replace(",", ".")) * _ML[found.group(2)] if found else None


def _unmeasured(name: str) -> str | None:
    """The name without its measure ("inca kola"), or None when it has none."""
    folded = fold(name)
    return " ".join(_AMOUNT.sub(" ", folded).split()) if _AMOUNT.search(folded) else None
