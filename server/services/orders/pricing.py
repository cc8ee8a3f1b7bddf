"""Pricing an order's lines from the catalog, and reserving the stock they take.

Prices always come from the catalog at the moment of ordering, never from the client: a line
names a product (by SKU or id) and a quantity, and gets the product's current SKU, name and price
as its snapshot. Products are locked (``FOR UPDATE``, in id order so that two orders never wait on
each other in a cycle) while their stock is checked and decremented.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.tenant_models import OrderItem, Product
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import MAX_AMOUNT, Totals, line_total, order_totals
from comandia.shared.domain.names import clean_name
from comandia.shared.i18n import N_, fill
from comandia.shared.schemas.orders import OrderLineInput

MAX_LINES = 100
MAX_QUANTITY = 10_000
MAX_NOTE = 200  # also a CHECK constraint (migration t0007)

Problems = dict[str, tuple[str, dict[str, object]]]
"""Field path -> (catalog template, its values): a refused order's problems, translated where read."""


@dataclass(frozen=True)
class PricedLines:
    items: list[OrderItem]
    totals: Totals
    currency: str


class Priceable(Protocol):
    """What pricing reads of a catalog product: an ORM `Product` or a row locked without the ORM."""

    @property
    def id(self) -> int: ...
    @property
    def sku(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def available(self) -> bool: ...
    @property
    def stock(self) -> int | None: ...


@dataclass(frozen=True)
class PricedLine:
    """One line as ordered: the product's snapshot and what it costs."""

    product_id: int
    sku: str
    name: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    note: str | None


@dataclass(frozen=True)
class Pricing:
    lines: list[PricedLine]
    totals: Totals
    currency: str
    taken: dict[int, int]
    """Stock each product with a stock count gives up: product id -> quantity."""


def price_lines(
    session: Session, lines: Sequence[OrderLineInput], delivery_fee: Decimal, currency: str | None = None
) -> PricedLines:
    """Turn wanted lines into order items priced from the catalog, and take their stock.

    Args:
        currency: the order's currency when it already has one (an edit); otherwise the products'.

    Raises:
        ValidationFailed: with field paths such as ``items[2].quantity`` for every bad line: no
            lines, a missing or unavailable product, too little stock, mixed currencies, a total
            too large.
    """
    problems = shape_problems(lines)
    if problems:
        raise failed(problems)
    products = _lock_products(session, lines)
    pricing = price_found(lines, products, delivery_fee, currency)
    items = [
        OrderItem(
            position=index,
            product_id=line.product_id,
            sku=line.sku,
            name=line.name,
            unit_price=line.unit_price,
            quantity=line.quantity,
            line_total=line.line_total,
            note=line.note,
        )
        for index, line in enumerate(pricing.lines)
    ]
    for product_id, quantity in pricing.taken.items():
        product = products[("id", product_id)]
        assert isinstance(product, Product) and product.stock is not None
        product.stock -= quantity
    return PricedLines(items=items, totals=pricing.totals, currency=pricing.currency)


def price_found(
    lines: Sequence[OrderLineInput],
    products: Mapping[tuple[str, object], Priceable],
    delivery_fee: Decimal,
    currency: str | None = None,
) -> Pricing:
    """Price `lines` (already shape-checked) from `products`, locked and found by ("sku", s) and ("id", i).

    Raises:
        ValidationFailed: as `price_lines`, for every bad line.
    """
    problems: Problems = {}
    wanted: Counter[int] = Counter()
    resolved: list[Priceable] = []
    for index, line in enumerate(lines):
        product = products.get(("id", line.product_id) if line.product_id is not None else ("sku", line.sku))
        ref = "product_id" if line.product_id is not None else "sku"
        if product is None:
            problems[f"items[{index}].{ref}"] = (N_("no such product in the catalog"), {})
            continue
        if not product.available:
            problems[f"items[{index}].{ref}"] = (N_("{name} is not available"), {"name": product.name})
        currency = currency or product.currency
        if product.currency != currency:
            problems[f"items[{index}].{ref}"] = (
                N_("{name} is priced in {currency}, not {order_currency}"),
                {"name": product.name, "currency": product.currency, "order_currency": currency},
            )
        wanted[product.id] += line.quantity
        resolved.append(product)
    if not problems:  # every line has its product, so `resolved` lines up with `lines`
        for index, product in enumerate(resolved):
            if product.stock is not None and wanted[product.id] > product.stock:
                problems[f"items[{index}].quantity"] = (
                    N_("only {stock} of {name} in stock"),
                    {"stock": product.stock, "name": product.name},
                )
    if problems:
        raise failed(problems)
    assert currency is not None
    priced = [
        PricedLine(
            product_id=product.id,
            sku=product.sku,
            name=product.name,
            unit_price=product.price,
            quantity=line.quantity,
            line_total=line_total(product.price, line.quantity, currency),
            note=_note(line.note),
        )
        for line, product in zip(lines, resolved, strict=True)
    ]
    totals = order_totals(((line.unit_price, line.quantity) for line in priced), delivery_fee, currency)
    if totals.total >= MAX_AMOUNT:
        raise failed({"items": (N_("the order total is too large"), {})})
    taken = {product.id: wanted[product.id] for product in resolved if product.stock is not None}
    return Pricing(lines=priced, totals=totals, currency=currency, taken=taken)


def release_stock(session: Session, items: Iterable[OrderItem]) -> None:
    """Give back the stock `items` took (a cancelled order, lines replaced by an edit)."""
    returned: Counter[int] = Counter()
    for item in items:
        if item.product_id is not None:
            returned[item.product_id] += item.quantity
    if not returned:
        return
    query = sa.select(Product).where(Product.id.in_(returned)).order_by(Product.id).with_for_update(of=Product)
    for product in session.scalars(query):
        if product.stock is not None:
            product.stock += returned[product.id]


def shape_problems(lines: Sequence[OrderLineInput]) -> Problems:
    """What is wrong with the lines before any product is looked up (none: {})."""
    if not lines:
        return {"items": (N_("an order needs at least one line"), {})}
    if len(lines) > MAX_LINES:
        return {"items": (N_("an order may have at most {limit} lines"), {"limit": MAX_LINES})}
    problems: Problems = {}
    for index, line in enumerate(lines):
        if (line.sku is None) == (line.product_id is None):
            problems[f"items[{index}]"] = (N_("name the product by sku or by product_id (one of them)"), {})
        if isinstance(line.quantity, bool) or not 1 <= line.quantity <= MAX_QUANTITY:
            problems[f"items[{index}].quantity"] = (
                N_("must be a whole number from 1 to {limit}"),
                {"limit": MAX_QUANTITY},
            )
        if line.note is not None:
            try:
                _note(line.note, f"items[{index}].note")
            except ValidationFailed as error:
                problems.update({field: error.field_problem(field) for field in error.fields})
    return problems


def _note(text: str | None, field: str = "note") -> str | None:
    """A line's note cleaned like a name (spaces collapsed, no control characters); blank is none.

    Raises:
        ValidationFailed: the note has a control character or is longer than `MAX_NOTE`.
    """
    if text is None or not text.strip():
        return None
    return clean_name(text, field, max_len=MAX_NOTE)


def fit_note(text: str | None) -> str | None:
    """A note the customer typed, made storable: control characters as spaces, clipped to `MAX_NOTE`.

    For notes nobody can be asked to shorten (the chat's): an order is never refused over its note.
    """
    if text is None:
        return None
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)
    cleaned = " ".join(unicodedata.normalize("NFC", kept).split())
    if len(cleaned) > MAX_NOTE:
        cleaned = cleaned[: MAX_NOTE - 1].rstrip() + "…"
    return cleaned or None


def _lock_products(session: Session, lines: Sequence[OrderLineInput]) -> dict[tuple[str, object], Product]:
    skus = {line.sku.strip() for line in lines if line.sku is not None}
    ids = {line.product_id for line in lines if line.product_id is not None}
    query = (
        sa.select(Product)
        .where(sa.or_(Product.sku.in_(skus), Product.id.in_(ids)))
        .order_by(Product.id)
        .with_for_update(of=Product)
    )
    found: dict[tuple[str, object], Product] = {}
    for product in session.scalars(query):
        found[("sku", product.sku)] = product
        found[("id", product.id)] = product
    # Lines name SKUs as typed; look them up stripped.
    for line in lines:
        if line.sku is not None and ("sku", line.sku) not in found and ("sku", line.sku.strip()) in found:
            found[("sku", line.sku)] = found[("sku", line.sku.strip())]
    return found


def failed(problems: Problems) -> ValidationFailed:
    """The error naming every bad line's field path, each problem translated for its reader."""
    english = "; ".join(f"{path} {fill(template, values)}" for path, (template, values) in problems.items())
    return ValidationFailed.of_problems(N_("the order cannot be placed: {problems}"), problems, problems=english)
