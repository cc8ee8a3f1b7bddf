"""KPI dashboards on the wire: a tenant's report, the superadmin's table.

Dates are ISO (``"2026-03-01"``), amounts are decimal strings (``"1234.50"``), so no float ever
carries money (see `wire`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comandia.shared.schemas.wire import Wire

GRANULARITIES = ("day", "week", "month")
ADMIN_SORTS = ("revenue", "orders", "customers", "last_activity", "db_bytes", "name")
"""Sort keys of the superadmin table; a leading minus means descending (the default for numbers)."""


class SeriesPoint(Wire, frozen=True):
    """One bucket of the sales series; `start` is the bucket's first day inside the range."""

    start: dt.date
    orders: int
    revenue: Decimal


class StatusCount(Wire, frozen=True):
    status: str
    orders: int
    revenue: Decimal


class ProductSales(Wire, frozen=True):
    sku: str
    name: str
    quantity: int
    revenue: Decimal


class CustomerSales(Wire, frozen=True):
    customer_id: int
    name: str | None
    orders: int
    revenue: Decimal


class PlaceSales(Wire, frozen=True):
    """Sales of one city (with its region) or of one region (`city` is None); "" means unknown."""

    city: str | None
    region: str
    orders: int
    revenue: Decimal


class ZoneSales(Wire, frozen=True):
    """Sales of one delivery zone, or of pickup (`fulfilment` "pickup"); `zone` "" when no zone set
    the order's fee (pickup, or delivery by a tenant without zones)."""

    fulfilment: str
    zone: str
    orders: int
    revenue: Decimal


class KpiPeriod(Wire, frozen=True):
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
    by_zone: tuple[ZoneSales, ...] = ()
    """Sales by delivery zone and pickup (docs/business-rules.md); empty from an older server."""


class KpiReport(Wire, frozen=True):
    """A tenant's dashboard: the range asked for and the previous range of the same length."""

    tenant_id: str
    currency: str
    timezone: str
    granularity: str
    current: KpiPeriod
    previous: KpiPeriod
    country_locale: str = "es_MX"
    """How the tenant's country writes money and dates (es_MX, es_AR, en_US, ...)."""


class TenantActivity(Wire, frozen=True):
    """One row of the superadmin table; the message figures are WhatsApp's (docs/kpis.md)."""

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


class AdminReport(Wire, frozen=True):
    """All tenants over a range. `active_customers` adds each day's distinct buyers (see docs/kpis.md)."""

    from_day: dt.date
    to_day: dt.date
    sort: str
    tenants_count: int
    orders: int
    revenue_by_currency: tuple[StatusCount, ...]  # `status` holds the currency code
    active_customers: int
    tenants: tuple[TenantActivity, ...]
