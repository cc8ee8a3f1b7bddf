"""Data exports of a tenant (orders with items, customers, products, KPI summary) and of all tenants.

Each export is an `Export` whose `chunks` iterator produces the file as the HTTP response (or the
CLI) consumes it; the tenant session is opened when iteration starts and closed when it ends.
Rows come through server-side cursors (`spreadsheets.stream_rows`), so memory stays flat however
many orders there are. A date range selects orders by the local day of `created_at`; for
customers and products it selects the sales figures shown next to each row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.sessions import Databases
from comandia.server.services.kpis.reports import KpiService, check_range
from comandia.server.services.kpis.spreadsheets import (
    CONTENT_TYPES,
    Export,
    Sheet,
    check_format,
    stream_rows,
    write,
)
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.times import local_day_bounds
from comandia.shared.schemas.kpis import KpiPeriod, KpiReport

DATASETS = ("orders", "customers", "products", "kpis")
EXPORT_TIMEOUT_MS = 30 * 60 * 1000

_ORDERS = sa.text(
    "SELECT number, created_at, status, channel, customer_name, customer_phone, delivery_city,"
    " delivery_region,"
    " delivery_address, subtotal, delivery_fee, total, currency, confirmed_at, completed_at, cancelled_at,"
    " cancel_reason FROM orders WHERE created_at >= :s AND created_at < :e ORDER BY created_at, id"
)
_ORDER_COLUMNS = [
    ("Number", "int", 10),
    ("Created", "instant", 20),
    ("Status", "text", 11),
    ("Channel", "text", 10),
    ("Customer", "text", 24),
    ("Phone", "text", 16),
    ("City", "text", 16),
    ("Region", "text", 16),
    ("Address", "text", 30),
    ("Subtotal", "money", 12),
    ("Delivery fee", "money", 12),
    ("Total", "money", 12),
    ("Currency", "text", 9),
    ("Confirmed", "instant", 20),
    ("Completed", "instant", 20),
    ("Cancelled", "instant", 20),
    ("Cancel reason", "text", 24),
]
_ITEMS = sa.text(
    "SELECT o.number, o.created_at, o.status, o.customer_name, o.customer_phone, o.delivery_city,"
    " o.delivery_region, o.delivery_fee, o.total, o.currency, i.position, i.sku, i.name, i.unit_price,"
    " i.quantity, i.line_total, i.note FROM orders o JOIN order_items i ON i.order_id = o.id"
    " WHERE o.created_at >= :s AND o.created_at < :e ORDER BY o.created_at, o.id, i.position"
)
_ITEM_COLUMNS = [
    ("Order", "int", 10),
    ("Created", "instant", 20),
    ("Status", "text", 11),
    ("Customer", "text", 24),
    ("Phone", "text", 16),
    ("City", "text", 16),
    ("Region", "text", 16),
    ("Delivery fee", "money", 12),
    ("Order total", "money", 12),
    ("Currency", "text", 9),
    ("Line", "int", 6),
    ("SKU", "text", 14),
    ("Product", "text", 28),
    ("Unit price", "money", 12),
    ("Quantity", "int", 9),
    ("Line total", "money", 12),
    ("Note", "text", 24),
]
_CUSTOMERS = sa.text(
    "SELECT c.id, c.name, c.phone, c.city, c.region, c.created_at, c.first_order_at, c.last_order_at,"
    " coalesce(k.orders, 0), coalesce(k.revenue, 0) FROM customers c LEFT JOIN (SELECT customer_id,"
    " sum(orders) AS orders, sum(revenue) AS revenue FROM kpi_daily_customers WHERE day BETWEEN :f AND :t"
    " GROUP BY customer_id) k ON k.customer_id = c.id ORDER BY c.id"
)
_CUSTOMER_COLUMNS = [
    ("ID", "int", 8),
    ("Name", "text", 24),
    ("Phone", "text", 16),
    ("City", "text", 16),
    ("Region", "text", 16),
    ("Created", "instant", 20),
    ("First order", "instant", 20),
    ("Last order", "instant", 20),
    ("Orders in range", "int", 15),
    ("Revenue in range", "money", 16),
]
_PRODUCTS = sa.text(
    "SELECT p.sku, p.name, g.name, p.price, p.currency, p.available, p.stock, coalesce(k.quantity, 0),"
    " coalesce(k.revenue, 0), array_to_string(p.aliases, ' | ') FROM products p"
    " LEFT JOIN categories g ON g.id = p.category_id"
    " LEFT JOIN (SELECT sku, sum(quantity) AS quantity, sum(revenue) AS revenue FROM kpi_daily_products"
    " WHERE day BETWEEN :f AND :t GROUP BY sku) k ON k.sku = p.sku ORDER BY p.sku"
)
_PRODUCT_COLUMNS = [
    ("SKU", "text", 14),
    ("Name", "text", 28),
    ("Category", "text", 18),
    ("Price", "money", 12),
    ("Currency", "text", 9),
    ("Available", "bool", 10),
    ("Stock", "int", 8),
    ("Sold in range", "int", 14),
    ("Revenue in range", "money", 16),
    ("Aliases", "text", 24),
]
_TENANT_COLUMNS = [
    ("Tenant", "text", 15),
    ("Name", "text", 28),
    ("State", "text", 9),
    ("Orders", "int", 10),
    ("Revenue", "money", 14),
    ("Currency", "text", 9),
    ("Active customers", "int", 16),
    ("Last activity", "date", 13),
    ("Database bytes", "int", 15),
    ("Messages in", "int", 12),
    ("Messages out", "int", 12),
    ("Failed sends", "int", 12),
]


class ExportService:
    """Builds exports; nothing is read until the returned chunks are iterated."""

    def __init__(self, databases: Databases, kpis: KpiService) -> None:
        self._db = databases
        self._kpis = kpis  # the reports, and each tenant's time zone

    def tenant_export(
        self, tenant_id: str, dataset: str, fmt: str, from_day: dt.date, to_day: dt.date
    ) -> Export:
        """One dataset of one tenant over a range of its local days.

        Raises:
            ValidationFailed: an unknown dataset or format, or a bad range.
            NotFound: no such tenant (checked now, before any byte is produced).
        """
        if dataset not in DATASETS:
            raise ValidationFailed("unknown dataset", {"dataset": "must be one of " + ", ".join(DATASETS)})
        check_format(fmt)
        check_range(from_day, to_day)
        timezone = self._kpis.zone(tenant_id)
        filename = f"{tenant_id}-{dataset}-{from_day.isoformat()}-{to_day.isoformat()}.{fmt}"
        if dataset == "kpis":
            report = self._kpis.tenant_report(tenant_id, from_day, to_day, "day")
            return Export(filename, CONTENT_TYPES[fmt], write(_kpi_sheets(report, fmt), fmt, timezone))
        start, _ = local_day_bounds(from_day, timezone)
        _, end = local_day_bounds(to_day, timezone)
        params = {"s": start, "e": end, "f": from_day, "t": to_day}
        return Export(
            filename, CONTENT_TYPES[fmt], self._tenant_chunks(tenant_id, dataset, fmt, timezone, params)
        )

    def tenants_export(self, fmt: str, from_day: dt.date, to_day: dt.date, sort: str = "-revenue") -> Export:
        """The superadmin table as a file. Raises: ValidationFailed."""
        check_format(fmt)
        report = self._kpis.admin.report(from_day, to_day, sort)
        rows = [
            [
                t.tenant_id,
                t.name,
                t.state,
                t.orders,
                t.revenue,
                t.currency,
                t.active_customers,
                t.last_activity,
                t.db_bytes,
                t.messages_in,
                t.messages_out,
                t.failed_sends,
            ]
            for t in report.tenants
        ]
        sheet = Sheet("tenants", _TENANT_COLUMNS, lambda: rows)
        filename = f"tenants-{from_day.isoformat()}-{to_day.isoformat()}.{fmt}"
        return Export(filename, CONTENT_TYPES[fmt], write([sheet], fmt, "UTC"))

    def _tenant_chunks(
        self, tenant_id: str, dataset: str, fmt: str, timezone: str, params: dict[str, Any]
    ) -> Iterator[bytes]:
        with self._db.tenant_session(tenant_id) as session:
            # A big export's first fetch may sort millions of lines: longer than a request's limit.
            session.execute(sa.text(f"SET LOCAL statement_timeout = {EXPORT_TIMEOUT_MS}"))
            yield from write(_data_sheets(session, dataset, fmt, params), fmt, timezone)


def _data_sheets(session: Session, dataset: str, fmt: str, params: dict[str, Any]) -> list[Sheet]:
    def rows(sql: sa.TextClause) -> Any:
        return lambda: stream_rows(session, sql, params)

    if dataset == "orders":
        items = Sheet("items", _ITEM_COLUMNS, rows(_ITEMS))
        # CSV has one table: one row per line with its order's columns; XLSX has both sheets.
        return [items] if fmt == "csv" else [Sheet("orders", _ORDER_COLUMNS, rows(_ORDERS)), items]
    if dataset == "customers":
        return [Sheet("customers", _CUSTOMER_COLUMNS, rows(_CUSTOMERS))]
    return [Sheet("products", _PRODUCT_COLUMNS, rows(_PRODUCTS))]


def _kpi_sheets(report: KpiReport, fmt: str) -> list[Sheet]:
    current, previous = report.current, report.previous
    summary = [
        ["Orders", current.orders, previous.orders],
        ["Revenue", current.revenue, previous.revenue],
        ["Average ticket", current.average_ticket, previous.average_ticket],
        ["New customers", current.new_customers, previous.new_customers],
        ["Returning customers", current.returning_customers, previous.returning_customers],
    ]
    sheets = [
        Sheet(
            "summary",
            [("Metric", "text", 22), ("Current", "money", 14), ("Previous", "money", 14)],
            lambda: summary,
        ),
        _table("series", [("Day", "date", 12)], [[p.start, p.orders, p.revenue] for p in current.series]),
        _table(
            "by status",
            [("Status", "text", 12)],
            [[s.status, s.orders, s.revenue] for s in current.by_status],
        ),
        Sheet(
            "top products",
            [("SKU", "text", 14), ("Name", "text", 28), ("Quantity", "int", 10), ("Revenue", "money", 14)],
            lambda: [[p.sku, p.name, p.quantity, p.revenue] for p in current.top_products],
        ),
        Sheet(
            "top customers",
            [("ID", "int", 8), ("Name", "text", 24), ("Orders", "int", 10), ("Revenue", "money", 14)],
            lambda: [[c.customer_id, c.name, c.orders, c.revenue] for c in current.top_customers],
        ),
        _table(
            "cities",
            [("City", "text", 18), ("Region", "text", 18)],
            [[p.city, p.region, p.orders, p.revenue] for p in current.by_city],
        ),
        _table(
            "regions", [("Region", "text", 18)], [[p.region, p.orders, p.revenue] for p in current.by_region]
        ),
    ]
    if fmt == "csv":
        return [
            Sheet(
                "kpis",
                [("Section", "text", 0), ("Key", "text", 0), ("Count", "int", 0), ("Amount", "money", 0)],
                lambda: _flat(current),
            )
        ]
    return sheets


def _table(name: str, keys: Sequence[tuple[str, str, int]], rows: Sequence[Sequence[Any]]) -> Sheet:
    return Sheet(name, [*keys, ("Orders", "int", 10), ("Revenue", "money", 14)], lambda: rows)


def _flat(period: KpiPeriod) -> Iterable[Sequence[Any]]:
    """The KPI summary as (section, key, count, amount) rows, for CSV's single table."""
    yield ["sales", "total", period.orders, period.revenue]
    yield ["sales", "average_ticket", None, period.average_ticket]
    yield ["customers", "new", period.new_customers, None]
    yield ["customers", "returning", period.returning_customers, None]
    yield from (["series", p.start.isoformat(), p.orders, p.revenue] for p in period.series)
    yield from (["status", s.status, s.orders, s.revenue] for s in period.by_status)
    yield from (["product", p.sku, p.quantity, p.revenue] for p in period.top_products)
    yield from (["customer", str(c.customer_id), c.orders, c.revenue] for c in period.top_customers)
    yield from (["city", f"{p.city} / {p.region}", p.orders, p.revenue] for p in period.by_city)
    yield from (["region", p.region, p.orders, p.revenue] for p in period.by_region)
