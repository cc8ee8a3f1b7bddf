"""A quantity said in kilos or litres of a product sold by the half or the quarter.

"un kilo de tortillas" where the menu sells "Tortillas medio kilo" is two of them, and "2 litros
de agua" of an "Agua de horchata medio litro" is four: read as one, the cart would silently hold
half of what was asked. A measure the customer says in the product's own fraction ("medio kilo de
tortillas") is one of it, as is anything sold whole ("un kilo de carnitas" of "Carnitas kilo").
"""

from __future__ import annotations

from comandia.server.chat.matching import words
from comandia.server.chat.model import ProductView

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
