"""Customers on the wire."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from comandia.shared.schemas.fields import iso, read_instant, read_object, read_str, require_object


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    phone: str
    wa_id: str | None
    name: str | None
    city: str | None
    region: str | None
    default_address: str | None
    notes: str | None
    extra: dict[str, Any]
    first_order_at: dt.datetime | None
    last_order_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("first_order_at", "last_order_at", "created_at", "updated_at"):
            data[key] = iso(getattr(self, key))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CustomerInfo:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields["extra"] = dict(data.get("extra") or {})
        for key in ("first_order_at", "last_order_at"):
            fields[key] = read_instant(data, key, default=None)
        for key in ("created_at", "updated_at"):
            fields[key] = read_instant(data, key)
        return cls(**fields)


@dataclass(frozen=True)
class CustomerInput:
    """A customer as a client sends it to create or replace one; the phone may be in any spelling."""

    phone: str
    name: str | None = None
    wa_id: str | None = None
    city: str | None = None
    region: str | None = None
    default_address: str | None = None
    notes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> CustomerInput:
        data = require_object(data, "body")
        optional = ("name", "wa_id", "city", "region", "default_address", "notes")
        return cls(
            phone=read_str(data, "phone"),
            extra=read_object(data, "extra"),
            **{key: read_str(data, key, default=None) for key in optional},
        )


@dataclass(frozen=True)
class CustomerPage:
    """One page of customers; pass `next_cursor` back to get the next (None: this is the last)."""

    items: tuple[CustomerInfo, ...]
    next_cursor: str | None

    def to_json(self) -> dict[str, Any]:
        return {"items": [item.to_json() for item in self.items], "next_cursor": self.next_cursor}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CustomerPage:
        return cls(
            items=tuple(CustomerInfo.from_json(item) for item in data["items"]),
            next_cursor=data.get("next_cursor"),
        )
