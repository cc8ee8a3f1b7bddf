"""Categories, products and catalog imports on the wire."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from comandia.shared.schemas.fields import (
    iso,
    money_text,
    read_bool,
    read_instant,
    read_int,
    read_money,
    read_object,
    read_str,
    require_object,
)


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    sort_order: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CategoryInfo:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        return cls(**fields)


@dataclass(frozen=True)
class CategoryInput:
    name: str
    sort_order: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> CategoryInput:
        data = require_object(data, "body")
        return cls(name=read_str(data, "name"), sort_order=read_int(data, "sort_order", default=0))


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    description: str
    category_id: int | None
    category: str | None
    price: Decimal
    currency: str
    available: bool
    stock: int | None
    image_url: str | None
    sort_order: int
    extra: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["price"] = money_text(self.price)
        data["created_at"] = iso(self.created_at)
        data["updated_at"] = iso(self.updated_at)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProductInfo:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields["price"] = read_money(data, "price")
        fields["extra"] = dict(data.get("extra") or {})
        fields["created_at"] = read_instant(data, "created_at")
        fields["updated_at"] = read_instant(data, "updated_at")
        return cls(**fields)


@dataclass(frozen=True)
class ProductInput:
    """A product as a client sends it to create or replace one; `currency` None means the tenant's."""

    sku: str
    name: str
    price: Decimal
    currency: str | None = None
    description: str = ""
    category_id: int | None = None
    available: bool = True
    stock: int | None = None
    image_url: str | None = None
    sort_order: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["price"] = money_text(self.price)
        return data

    @classmethod
    def from_json(cls, data: Any) -> ProductInput:
        data = require_object(data, "body")
        return cls(
            sku=read_str(data, "sku"),
            name=read_str(data, "name"),
            price=read_money(data, "price"),
            currency=read_str(data, "currency", default=None),
            description=read_str(data, "description", default=""),
            category_id=read_int(data, "category_id", default=None),
            available=read_bool(data, "available", default=True),
            stock=read_int(data, "stock", default=None),
            image_url=read_str(data, "image_url", default=None),
            sort_order=read_int(data, "sort_order", default=0),
            extra=read_object(data, "extra"),
        )


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an uploaded catalog file; `row` 1 is the header line, data starts at 2."""

    row: int
    column: str
    problem: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportIssue:
        return cls(row=int(data["row"]), column=str(data["column"]), problem=str(data["problem"]))


@dataclass(frozen=True)
class ImportReport:
    """What a catalog import found (dry run) or did (apply): problems and what would change."""

    rows: int
    created: int
    updated: int
    unchanged: int
    issues: tuple[ImportIssue, ...]
    applied: bool

    @property
    def ok(self) -> bool:
        return not self.issues

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["issues"] = [issue.to_json() for issue in self.issues]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            rows=int(data["rows"]),
            created=int(data["created"]),
            updated=int(data["updated"]),
            unchanged=int(data["unchanged"]),
            applied=bool(data["applied"]),
            issues=tuple(ImportIssue.from_json(item) for item in data.get("issues", [])),
        )
