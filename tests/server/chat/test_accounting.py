"""Every message is fully accounted for: a property over generated orders.

Messages are built as customers write them (greetings and fillers around, quantities as digits or
words before or after the name, separators of every kind, words that are not on the menu) over
the corpus menus. Whatever the bot makes of one, no product the customer named is missing from
the cart unless a reply named it back (or asks "did you mean …?" about it).
"""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from comandia.server.chat import flow
from comandia.server.chat.model import CustomerRef, Inbound, ProductView, fold
from comandia.server.chat.state import ChatState
from tests.server.chat.corpus import Menu, load_menus

CUSTOMER = CustomerRef("5215512340001", None, "+5215512340001", None)
OPENINGS = ("", "hola ", "buenas tardes, ", "oye ", "me das ", "quiero ", "me traes porfa ", "hi, can I get ")
NUMBERS = {1: ("1", "un", "una"), 2: ("2", "dos"), 3: ("3", "tres"), 4: ("4", "cuatro"), 6: ("6", "seis")}
SEPARATORS = (", ", " y ", "\n", " , ", " + ", " and ")
STRANGERS = ("torta ahogada", "sushi de mango", "lasaña", "pozole rojo", "churros")


@cache
def _menus() -> dict[str, Menu]:
    return load_menus()


def _named(product: ProductView, told: tuple[str, ...]) -> bool:
    words = {w for name in (product.name, *product.aliases) for w in fold(name).split() if len(w) >= 3}
    segments = [fold(t) for t in told]
    return any(fuzz.ratio(w, c) >= 80 for s in segments for c in s.split() for w in words)


@st.composite
def orders(draw: st.DrawFn) -> tuple[Menu, list[tuple[ProductView, int]], str]:
    menus = _menus()
    menu = menus[draw(st.sampled_from(sorted(menus)))]
    available = [p for p in menu.catalog.products if p.available]
    chosen = draw(st.lists(st.sampled_from(available), min_size=1, max_size=4, unique_by=lambda p: p.sku))
    parts: list[str] = []
    lines: list[tuple[ProductView, int]] = []
    for product in chosen:
        quantity = draw(st.sampled_from(sorted(NUMBERS)))
        word = draw(st.sampled_from(NUMBERS[quantity]))
        name = draw(st.sampled_from((product.name, product.name.lower(), fold(product.name), product.name.upper())))
        parts.append(draw(st.sampled_from((f"{word} {name}", f"{name} x{quantity}", f"{quantity} x {name}"))))
        lines.append((product, quantity))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), "una " + draw(st.sampled_from(STRANGERS)))
    text = draw(st.sampled_from(OPENINGS))
    for index, part in enumerate(parts):
        text += (draw(st.sampled_from(SEPARATORS)) if index else "") + part
    return menu, lines, text + draw(st.sampled_from(("", " porfa", " gracias", " 🙏", "!!")))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders())
def test_no_named_product_goes_missing_without_a_word(order: tuple[Menu, list[tuple[ProductView, int]], str]) -> None:
    menu, lines, text = order
    outcome = flow.step(ChatState(), Inbound(kind="text", text=text), menu.tenant, menu.catalog, CUSTOMER)
    cart = outcome.state.cart_dict()
    asked = set(flow.suggested(outcome.state)) | {s for d in outcome.state.suggestions for s in d[0]}
    asked |= {sku for sku, *_ in outcome.state.checks}  # "¿45 × Coca-Cola? ¿Seguro?": asked, not missing
    said = " ".join(r.to_text() for r in outcome.replies)
    for product, _ in lines:
        if product.sku in cart or product.sku in asked:
            continue
        assert outcome.named_back and _named(product, outcome.named_back), (
            f"{product.name!r} was dropped without a word from {text!r}\nreply: {said}"
        )
    for words in outcome.named_back:
        assert " ".join(fold(words).split()) in " ".join(fold(said).split()), f"{words!r} named back but not said"
