"""Orders on the wire: what clients send to create, edit and list them, and what they get back.

An order's ETag is its `version` in quotes (``"3"``); a client sends it back in If-Match so that
two managers editing one order cannot silently overwrite each other (`version_from_etag`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_
from comandia.shared.schemas.rules import PaymentKind
from comandia.shared.schemas.wire import Amount, Instant, Request, Wire

ORDER_SORTS = ("-created_at", "created_at", "-number", "number", "-total", "total")
"""Sort keys of the order list; a leading minus means descending (newest, highest first)."""

MAX_PAGE_SIZE = 200


def etag_for(version: int) -> str:
    return f'"{version}"'


def version_from_etag(value: str | None) -> int | None:
    """The version in an If-Match header (``"3"`` or ``W/"3"``), None when the header is absent.

    Raises:
        ValidationFailed: the header is not one of our ETags (field ``If-Match``).
    """
    if value is None or not value.strip():
        return None
    text = value.strip().removeprefix("W/").strip('"')
    # ASCII digits only (str.isdigit accepts "²" and Arabic digits, which int() then refuses), and
    # no more than a version can have: int() of 5,000 digits raises, and no order reaches 10^18.
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise ValidationFailed("If-Match must be an ETag of this order", {"If-Match": N_("is not an order ETag")})
    return int(text)


class OrderLineInput(Request, frozen=True):
    """One wanted line: a product by `sku` or by `product_id` (one of them), and a quantity;
    `note` is what the customer asked of it ("sin cebolla"), up to 200 characters."""

    quantity: int
    sku: str | None = None
    product_id: int | None = None
    note: str | None = None


class OrderInput(Request, frozen=True):
    customer_id: int
    items: tuple[OrderLineInput, ...]
    channel: str = "console"
    delivery_address: str | None = None
    delivery_city: str | None = None
    delivery_region: str | None = None
    notes: str | None = None
    delivery_fee: Amount | None = None
    """None (or left out): no delivery fee."""
    extra: dict[str, Any] = {}
    fulfilment: Literal["delivery", "pickup"] = "delivery"
    delivery_zone: Annotated[str, msgspec.Meta(min_length=1, max_length=80)] | None = None
    """The tenant's delivery zone that set the fee (settings `delivery_zones`), for sales by zone."""
    payment_method: PaymentKind | None = None
    pay_with: Amount | None = None
    """Cash the customer will pay with, for the change."""


class OrderEdit(Request, frozen=True, omit_defaults=True):
    """Changes to an order still `new`; a None field stays as it is (send "" to clear a text)."""

    items: tuple[OrderLineInput, ...] | None = None
    delivery_address: str | None = None
    delivery_city: str | None = None
    delivery_region: str | None = None
    notes: str | None = None
    delivery_fee: Amount | None = None


class StatusRequest(Request, frozen=True):
    """Move an order to `status`; `reason` is kept in its history (and shown for a cancellation)."""

    status: Annotated[str, msgspec.Meta(max_length=20)]
    reason: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class OrderItemInfo(Wire, frozen=True):
    id: int
    product_id: int | None
    sku: str
    name: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    note: str | None = None
    """What the customer asked of this line ("sin cebolla", "bien dorada")."""


class StatusChangeInfo(Wire, frozen=True):
    """One line of an order's history; the first has `from_status` None (the order was created)."""

    from_status: str | None
    to_status: str
    actor: str
    at: dt.datetime
    reason: str | None


SUMMARY_ITEMS = 10
"""Lines an order's summary carries at most; `OrderSummary.more_items` counts the rest."""
SUMMARY_NOTE = 40
"""Characters of a line's note a summary keeps (the detail has it whole)."""


class OrderSummaryItem(Wire, frozen=True):
    """One line as a board card shows it: "2× Taco de pastor (sin cebolla)"."""

    quantity: int
    name: str
    note: str | None = None
    """The customer's note on the line, clipped to `SUMMARY_NOTE` characters (ending in "…")."""


class OrderSummary(Wire, frozen=True):
    """An order as the list shows it: its first `SUMMARY_ITEMS` lines, and how many more it has."""

    id: int
    number: int
    status: str
    channel: str
    customer_id: int
    customer_name: str | None
    customer_phone: str
    total: Decimal
    currency: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    items: tuple[OrderSummaryItem, ...] = ()
    more_items: int = 0
    """Lines beyond `items` (an order of 14 lines: 10 in `items`, `more_items` 4)."""
    fulfilment: str = "delivery"
    delivery_zone: str | None = None

    @property
    def etag(self) -> str:
        return etag_for(self.version)


class OrderDetail(Wire, frozen=True):
    """An order with its lines, its history and the statuses it may change to next."""

    id: int
    number: int
    status: str
    channel: str
    customer_id: int
    customer_name: str | None
    customer_phone: str
    delivery_address: str | None
    delivery_city: str | None
    delivery_region: str | None
    notes: str | None
    subtotal: Decimal
    delivery_fee: Decimal
    total: Decimal
    currency: str
    extra: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    confirmed_at: dt.datetime | None
    shipped_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str | None
    items: tuple[OrderItemInfo, ...]
    history: tuple[StatusChangeInfo, ...]
    allowed_next: tuple[str, ...]
    fulfilment: str = "delivery"
    delivery_zone: str | None = None
    payment_method: str | None = None
    pay_with: Decimal | None = None

    @property
    def etag(self) -> str:
        return etag_for(self.version)


class OrderQuery(Wire, frozen=True):
    """Filters, sort and page of the order list; `created_to` is exclusive, both are UTC instants."""

    statuses: tuple[str, ...] = ()
    customer_id: int | None = None
    created_from: Instant | None = None
    created_to: Instant | None = None
    text: str | None = None
    sort: str = "-created_at"
    limit: int = 50
    cursor: str | None = None


class OrderPage(Wire, frozen=True):
    """One page of the order list; pass `next_cursor` back in `OrderQuery.cursor` for the next."""

    items: tuple[OrderSummary, ...]
    next_cursor: str | None
