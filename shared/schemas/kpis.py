"""KPI dashboards on the wire: a tenant's report, the superadmin's table; money as strings.

Every class has `to_json()` and `from_json(data)`. Dates are ISO (``"2026-03-01"``), amounts are
decimal strings (``"1234.50"``), so no float ever carries money.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from comandia.shared.domain.errors import ValidationFailed

GRANULARITIES = ("day", "week", "month")
ADMIN_SORTS = ("revenue", "orders", "customers", "last_activity", "db_bytes", "name")
"""Sort keys of the superadmin table; a leading minus means descending (the default for numbers)."""

T = TypeVar("T")


class _Wire:
    """Generic to_json/from_json driven by the dataclass field types."""

    def to_json(self) -> dict[str, Any]:
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_json(cls: type[T], data: Any) -> T:
        return typing.cast(T, _decode(cls, data, "body"))


@dataclass(frozen=True)
class SeriesPoint(_Wire):
    """One bucket of the sales series; `start` is the bucket's first day inside the range."""

    start: dt.date
    orders: int
    revenue: Decimal


@dataclass(frozen=True)
class StatusCount(_Wire):
    status: str
    orders: int
    revenue: Decimal


@dataclass(frozen=True)
class ProductSales(_Wire):
    sku: str
    name: str
    quantity: int
    revenue: Decimal


@dataclass(frozen=True)
class CustomerSales(_Wire):
    customer_id: int
    name: str | None
    orders: int
    revenue: Decimal


@dataclass(frozen=True)
class PlaceSales(_Wire):
    """Sales of one city (with its region) or of one region (`city` is None); "" means unknown."""

    city: str | None
    region: str
    orders: int
    revenue: Decimal


@dataclass(frozen=True)
class KpiPeriod(_Wire):
    """Every KPI of one date range (both ends included, local days of the tenant)."""

    from_day: dt.date
    to_day: dt.date
    orders: int
    revenue: Decimal
    average_ticket: Decimal
    new_customers: int
    returning_customers: int
    series: tuple[SeriesPoint, ...]
    by_status: tuple[StatusCount, ...]
    top_products: tuple[ProductSales, ...]
    top_customers: tuple[CustomerSales, ...]
    by_city: tuple[PlaceSales, ...]
    by_region: tuple[PlaceSales, ...]


@dataclass(frozen=True)
class KpiReport(_Wire):
    """A tenant's dashboard: the range asked for and the previous range of the same length."""

    tenant_id: str
    currency: str
    timezone: str
    granularity: str
    current: KpiPeriod
    previous: KpiPeriod


@dataclass(frozen=True)
class TenantActivity(_Wire):
    """One row of the superadmin table; messages and failed sends stay 0 until WhatsApp exists."""

    tenant_id: str
    name: str
    state: str
    orders: int
    revenue: Decimal
    currency: str
    active_customers: int
    last_activity: dt.date | None
    db_bytes: int | None
    messages_in: int
    messages_out: int
    failed_sends: int


@dataclass(frozen=True)
class AdminReport(_Wire):
    """All tenants over a range. `active_customers` adds each day's distinct buyers (see docs/kpis.md)."""

    from_day: dt.date
    to_day: dt.date
    sort: str
    tenants_count: int
    orders: int
    revenue_by_currency: tuple[StatusCount, ...]  # `status` holds the currency code
    active_customers: int
    tenants: tuple[TenantActivity, ...]


def _encode(value: Any) -> Any:
    if isinstance(value, _Wire):
        return value.to_json()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(kind: Any, value: Any, path: str) -> Any:
    """Read `value` as type `kind`, raising ValidationFailed naming `path` when it does not fit."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _decode(next(a for a in args if a is not type(None)), value, path)
    if origin is tuple:
        if not isinstance(value, list):
            raise ValidationFailed(f"{path} must be a list", {path: "must be a list"})
        return tuple(_decode(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ValidationFailed(f"{path} must be an object", {path: "must be an object"})
        hints = typing.get_type_hints(kind)
        return kind(
            **{
                f.name: _decode(hints[f.name], value.get(f.name), f"{path}.{f.name}")
                for f in dataclasses.fields(kind)
            }
        )
    try:
        if kind is Decimal and isinstance(value, str | int) and not isinstance(value, bool):
            return Decimal(value)
        if kind is dt.date and isinstance(value, str):
            return dt.date.fromisoformat(value)
    except (ArithmeticError, ValueError):
        pass
    else:
        if kind in (int, str) and isinstance(value, kind) and not isinstance(value, bool):
            return value
    raise ValidationFailed(
        f"{path} must be a {getattr(kind, '__name__', kind)}", {path: "has the wrong type"}
    )
