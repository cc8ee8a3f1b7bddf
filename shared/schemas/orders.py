"""Orders on the wire: what clients send to create, edit and list them, and what they get back.

An order's ETag is its `version` in quotes (``"3"``); a client sends it back in If-Match so that
two managers editing one order cannot silently overwrite each other (`version_from_etag`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.schemas.fields import (
    iso,
    money_text,
    read_instant,
    read_int,
    read_list,
    read_money,
    read_object,
    read_str,
    require_object,
)

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
    if not text.isdigit():
        raise ValidationFailed("If-Match must be an ETag of this order", {"If-Match": "is not an order ETag"})
    return int(text)


@dataclass(frozen=True)
class OrderLineInput:
    """One wanted line: a product by `sku` or by `product_id` (one of them), and a quantity."""

    quantity: int
    sku: str | None = None
    product_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, path: str) -> OrderLineInput:
        data = require_object(data, path.rstrip("."))
        return cls(
            quantity=read_int(data, "quantity", path),
            sku=read_str(data, "sku", path, default=None),
            product_id=read_int(data, "product_id", path, default=None),
        )


def _lines(raw: list[Any]) -> tuple[OrderLineInput, ...]:
    return tuple(OrderLineInput.from_json(item, f"items[{i}].") for i, item in enumerate(raw))


@dataclass(frozen=True)
class OrderInput:
    customer_id: int
    items: tuple[OrderLineInput, ...]
    channel: str = "console"
    delivery_address: str | None = None
    delivery_city: str | None = None
    delivery_region: str | None = None
    notes: str | None = None
    delivery_fee: Decimal = Decimal("0")
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["items"] = [item.to_json() for item in self.items]
        data["delivery_fee"] = money_text(self.delivery_fee)
        return data

    @classmethod
    def from_json(cls, data: Any) -> OrderInput:
        data = require_object(data, "body")
        return cls(
            customer_id=read_int(data, "customer_id"),
            items=_lines(read_list(data, "items")),
            channel=read_str(data, "channel", default="console"),
            delivery_address=read_str(data, "delivery_address", default=None),
            delivery_city=read_str(data, "delivery_city", default=None),
            delivery_region=read_str(data, "delivery_region", default=None),
            notes=read_str(data, "notes", default=None),
            delivery_fee=read_money(data, "delivery_fee", default=Decimal("0")),
            extra=read_object(data, "extra"),
        )


@dataclass(frozen=True)
class OrderEdit:
    """Changes to an order still `new`; a None field stays as it is (send "" to clear a text)."""

    items: tuple[OrderLineInput, ...] | None = None
    delivery_address: str | None = None
    delivery_city: str | None = None
    delivery_region: str | None = None
    notes: str | None = None
    delivery_fee: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if v is not None}
        if self.items is not None:
            data["items"] = [item.to_json() for item in self.items]
        if self.delivery_fee is not None:
            data["delivery_fee"] = money_text(self.delivery_fee)
        return data

    @classmethod
    def from_json(cls, data: Any) -> OrderEdit:
        data = require_object(data, "body")
        items = read_list(data, "items", default=None)
        fee = read_money(data, "delivery_fee") if data.get("delivery_fee") is not None else None
        texts = ("delivery_address", "delivery_city", "delivery_region", "notes")
        return cls(
            items=None if items is None else _lines(items),
            delivery_fee=fee,
            **{key: read_str(data, key, default=None) for key in texts},
        )


@dataclass(frozen=True)
class OrderItemInfo:
    id: int
    product_id: int | None
    sku: str
    name: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["unit_price"] = money_text(self.unit_price)
        data["line_total"] = money_text(self.line_total)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderItemInfo:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields["unit_price"] = read_money(data, "unit_price")
        fields["line_total"] = read_money(data, "line_total")
        return cls(**fields)


@dataclass(frozen=True)
class StatusChangeInfo:
    """One line of an order's history; the first has `from_status` None (the order was created)."""

    from_status: str | None
    to_status: str
    actor: str
    at: dt.datetime
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = iso(self.at)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatusChangeInfo:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields["at"] = read_instant(data, "at")
        return cls(**fields)


_INSTANTS = ("created_at", "updated_at", "confirmed_at", "shipped_at", "completed_at", "cancelled_at")


@dataclass(frozen=True)
class OrderSummary:
    """An order as the list shows it."""

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

    @property
    def etag(self) -> str:
        return etag_for(self.version)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["total"] = money_text(self.total)
        data["created_at"], data["updated_at"] = iso(self.created_at), iso(self.updated_at)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderSummary:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields["total"] = read_money(data, "total")
        fields["created_at"], fields["updated_at"] = (
            read_instant(data, "created_at"),
            read_instant(data, "updated_at"),
        )
        return cls(**fields)


@dataclass(frozen=True)
class OrderDetail:
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

    @property
    def etag(self) -> str:
        return etag_for(self.version)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("subtotal", "delivery_fee", "total"):
            data[key] = money_text(getattr(self, key))
        for key in _INSTANTS:
            data[key] = iso(getattr(self, key))
        data["items"] = [item.to_json() for item in self.items]
        data["history"] = [change.to_json() for change in self.history]
        data["allowed_next"] = list(self.allowed_next)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderDetail:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        for key in ("subtotal", "delivery_fee", "total"):
            fields[key] = read_money(data, key)
        for key in _INSTANTS:
            fields[key] = read_instant(data, key, default=None)
        fields["extra"] = dict(data.get("extra") or {})
        fields["items"] = tuple(OrderItemInfo.from_json(item) for item in data["items"])
        fields["history"] = tuple(StatusChangeInfo.from_json(change) for change in data["history"])
        fields["allowed_next"] = tuple(data.get("allowed_next") or ())
        return cls(**fields)


@dataclass(frozen=True)
class OrderQuery:
    """Filters, sort and page of the order list; `created_to` is exclusive, both are UTC instants."""

    statuses: tuple[str, ...] = ()
    customer_id: int | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    text: str | None = None
    sort: str = "-created_at"
    limit: int = 50
    cursor: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["statuses"] = list(self.statuses)
        data["created_from"], data["created_to"] = iso(self.created_from), iso(self.created_to)
        return data

    @classmethod
    def from_json(cls, data: Any) -> OrderQuery:
        data = require_object(data, "query")
        statuses = data.get("statuses") or []
        if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
            raise ValidationFailed(
                "statuses must be a list of names", {"statuses": "must be a list of strings"}
            )
        return cls(
            statuses=tuple(statuses),
            customer_id=read_int(data, "customer_id", default=None),
            created_from=read_instant(data, "created_from", default=None),
            created_to=read_instant(data, "created_to", default=None),
            text=read_str(data, "text", default=None),
            sort=read_str(data, "sort", default="-created_at"),
            limit=read_int(data, "limit", default=50),
            cursor=read_str(data, "cursor", default=None),
        )


@dataclass(frozen=True)
class OrderPage:
    """One page of the order list; pass `next_cursor` back in `OrderQuery.cursor` for the next."""

    items: tuple[OrderSummary, ...]
    next_cursor: str | None

    def to_json(self) -> dict[str, Any]:
        return {"items": [item.to_json() for item in self.items], "next_cursor": self.next_cursor}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderPage:
        return cls(
            items=tuple(OrderSummary.from_json(item) for item in data["items"]),
            next_cursor=data.get("next_cursor"),
        )
