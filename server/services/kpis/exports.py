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
from comandia.server.db.tenant_models import Customer, real_customer
from comandia.server.services.kpis.admin_reports import AdminKpiService
from comandia.server.services.kpis.reports import KpiService, check_range
from comandia.server.services.kpis.spreadsheets import (
    CONTENT_TYPES,
    Export,
    Sheet,
    Style,
    check_format,
    stream_rows,
    write,
)
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.times import local_day_bounds
from comandia.shared.i18n import N_
from comandia.shared.schemas.kpis import AdminReport, KpiPeriod, KpiReport

DATASETS = ("orders", "customers", "products", "kpis")
EXPORT_TIMEOUT_MS = 30 * 60 * 1000

_ORDERS = sa.text(
    "SELECT number, created_at, status, channel, customer_name, customer_phone, delivery_city,"
    " delivery_region,"
    " delivery_address, subtotal, delivery_fee, total, currency, confirmed_at, completed_at, cancelled_at,"
    " cancel_reason FROM orders WHERE created_at >= :s AND created_at < :e ORDER BY created_at, id"
)
_ORDER_COLUMNS = [
    (N_("Number"), "int", 10),
    (N_("Created"), "instant", 20),
    (N_("Status"), "word", 11),
    (N_("Channel"), "text", 10),
    (N_("Customer"), "text", 24),
    (N_("Phone"), "text", 16),
    (N_("City"), "text", 16),
    (N_("Region"), "text", 16),
    (N_("Address"), "text", 30),
    (N_("Subtotal"), "money", 12),
    (N_("Delivery fee"), "money", 12),
    (N_("Total"), "money", 12),
    (N_("Currency"), "text", 9),
    (N_("Confirmed"), "instant", 20),
    (N_("Completed"), "instant", 20),
    (N_("Cancelled"), "instant", 20),
    (N_("Cancel reason"), "text", 24),
]
_ITEMS = sa.text(
    "SELECT o.number, o.created_at, o.status, o.customer_name, o.customer_phone, o.delivery_city,"
    " o.delivery_region, o.delivery_fee, o.total, o.currency, i.position, i.sku, i.name, i.unit_price,"
    " i.quantity, i.line_total, i.note FROM orders o JOIN order_items i ON i.order_id = o.id"
    " WHERE o.created_at >= :s AND o.created_at < :e ORDER BY o.created_at, o.id, i.position"
)
_ITEM_COLUMNS = [
    (N_("Order"), "int", 10),
    (N_("Created"), "instant", 20),
    (N_("Status"), "word", 11),
    (N_("Customer"), "text", 24),
    (N_("Phone"), "text", 16),
    (N_("City"), "text", 16),
    (N_("Region"), "text", 16),
    (N_("Delivery fee"), "money", 12),
    (N_("Order total"), "money", 12),
    (N_("Currency"), "text", 9),
    (N_("Line"), "int", 6),
    (N_("SKU"), "text", 14),
    (N_("Product"), "text", 28),
    (N_("Unit price"), "money", 12),
    (N_("Quantity"), "int", 9),
    (N_("Line total"), "money", 12),
    (N_("Note"), "text", 24),
]
_DAILY_CUSTOMERS = sa.table(
    "kpi_daily_customers", sa.column("day"), sa.column("customer_id"), sa.column("orders"), sa.column("revenue")
)
_RANGE_SALES = (
    sa.select(
        _DAILY_CUSTOMERS.c.customer_id,
        sa.func.sum(_DAILY_CUSTOMERS.c.orders).label("orders"),
        sa.func.sum(_DAILY_CUSTOMERS.c.revenue).label("revenue"),
    )
    .where(_DAILY_CUSTOMERS.c.day.between(sa.bindparam("f", type_=sa.Date), sa.bindparam("t", type_=sa.Date)))
    .group_by(_DAILY_CUSTOMERS.c.customer_id)
    .subquery("k")
)
_CUSTOMERS = (
    sa.select(
        Customer.id,
        Customer.name,
        Customer.phone,
        Customer.city,
        Customer.region,
        Customer.created_at,
        Customer.first_order_at,
        Customer.last_order_at,
        sa.func.coalesce(_RANGE_SALES.c.orders, 0),
        sa.func.coalesce(_RANGE_SALES.c.revenue, 0),
    )
    .outerjoin_from(Customer, _RANGE_SALES, _RANGE_SALES.c.customer_id == Customer.id)
    .where(real_customer())  # not the test chat's phones: the customer list's rule
    .order_by(Customer.id)
)
_CUSTOMER_COLUMNS = [
    (N_("ID"), "int", 8),
    (N_("Name"), "text", 24),
    (N_("Phone"), "text", 16),
    (N_("City"), "text", 16),
    (N_("Region"), "text", 16),
    (N_("Created"), "instant", 20),
    (N_("First order"), "instant", 20),
    (N_("Last order"), "instant", 20),
    (N_("Orders in range"), "int", 15),
    (N_("Revenue in range"), "money", 16),
]
_PRODUCTS = sa.text(
    "SELECT p.sku, p.name, g.name, p.price, p.currency, p.available, p.stock, coalesce(k.quantity, 0),"
    " coalesce(k.revenue, 0), array_to_string(p.aliases, ' | ') FROM products p"
    " LEFT JOIN categories g ON g.id = p.category_id"
    " LEFT JOIN (SELECT sku, sum(quantity) AS quantity, sum(revenue) AS revenue FROM kpi_daily_products"
    " WHERE day BETWEEN :f AND :t GROUP BY sku) k ON k.sku = p.sku ORDER BY p.sku"
)
_PRODUCT_COLUMNS = [
    (N_("SKU"), "text", 14),
    (N_("Name"), "text", 28),
    (N_("Category"), "text", 18),
    (N_("Price"), "money", 12),
    (N_("Currency"), "text", 9),
    (N_("Available"), "bool", 10),
    (N_("Stock"), "int", 8),
    (N_("Sold in range"), "int", 14),
    (N_("Revenue in range"), "money", 16),
    (N_("Aliases"), "text", 24),
]
_TENANT_COLUMNS = [
    (N_("Tenant"), "text", 15),
    (N_("Name"), "text", 28),
    (N_("State"), "text", 9),
    (N_("Orders"), "int", 10),
    (N_("Revenue"), "money", 14),
    (N_("Currency"), "text", 9),
    (N_("Active customers"), "int", 16),
    (N_("Last activity"), "date", 13),
    (N_("Database bytes"), "int", 15),
    (N_("Messages in"), "int", 12),
    (N_("Messages out"), "int", 12),
    (N_("Failed sends"), "int", 12),
]


class ExportService:
    """Builds exports; nothing is read until the returned chunks are iterated."""

    def __init__(self, databases: Databases, kpis: KpiService) -> None:
        self._db = databases
        self._kpis = kpis  # the reports, and each tenant's time zone

    def tenant_export(
        self, tenant_id: str, dataset: str, fmt: str, from_day: dt.date, to_day: dt.date, language: str = "es"
    ) -> Export:
        """One dataset of one tenant over a range of its local days; headers, sheet names and
        statuses in `language`, amounts in the tenant's currency as its country writes it (XLSX).

        Raises:
            ValidationFailed: an unknown dataset or format, or a bad range.
            NotFound: no such tenant (checked now, before any byte is produced).
        """
        if dataset not in DATASETS:
            raise ValidationFailed(
                "unknown dataset", {"dataset": N_("must be one of {choices}")}, choices=", ".join(DATASETS)
            )
        check_format(fmt)
        check_range(from_day, to_day)
        context = self._kpis.context(tenant_id)
        timezone = context.timezone
        style = Style(language, context.currency, context.formats_locale)
        filename = f"{tenant_id}-{dataset}-{from_day.isoformat()}-{to_day.isoformat()}.{fmt}"
        if dataset == "kpis":
            report = self._kpis.tenant_report(tenant_id, from_day, to_day, "day")
            return Export(filename, CONTENT_TYPES[fmt], write(_kpi_sheets(report, fmt), fmt, timezone, style))
        start, _ = local_day_bounds(from_day, timezone)
        _, end = local_day_bounds(to_day, timezone)
        params = {"s": start, "e": end, "f": from_day, "t": to_day}
        return Export(
            filename, CONTENT_TYPES[fmt], self._tenant_chunks(tenant_id, dataset, fmt, timezone, params, style)
        )

    @property
    def admin(self) -> AdminKpiService:
        """The superadmin report the tenants export writes (`tenants_export`)."""
        return self._kpis.admin

    def tenants_export(self, fmt: str, report: AdminReport, language: str = "es") -> Export:
        """The superadmin table `report` (`admin`) as a file, its headers in `language`.
        Raises: ValidationFailed (an unknown format)."""
        check_format(fmt)
        from_day, to_day = report.from_day, report.to_day
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
        sheet = Sheet(N_("tenants"), _TENANT_COLUMNS, lambda: rows)
        filename = f"tenants-{from_day.isoformat()}-{to_day.isoformat()}.{fmt}"
        return Export(filename, CONTENT_TYPES[fmt], write([sheet], fmt, "UTC", Style(language)))

    def _tenant_chunks(
        self, tenant_id: str, dataset: str, fmt: str, timezone: str, params: dict[str, Any], style: Style
    ) -> Iterator[bytes]:
        with self._db.tenant_session(tenant_id) as session:
            # A big export's first fetch may sort millions of lines: longer than a request's limit.
            session.execute(sa.text(f"SET LOCAL statement_timeout = {EXPORT_TIMEOUT_MS}"))
            yield from write(_data_sheets(session, dataset, fmt, params), fmt, timezone, style)


def _data_sheets(session: Session, dataset: str, fmt: str, params: dict[str, Any]) -> list[Sheet]:
    def rows(sql: sa.Executable) -> Any:
        return lambda: stream_rows(session, sql, params)

    if dataset == "orders":
        items = Sheet(N_("items"), _ITEM_COLUMNS, rows(_ITEMS))
        # CSV has one table: one row per line with its order's columns; XLSX has both sheets.
        return [items] if fmt == "csv" else [Sheet(N_("orders"), _ORDER_COLUMNS, rows(_ORDERS)), items]
    if dataset == "customers":
        return [Sheet(N_("customers"), _CUSTOMER_COLUMNS, rows(_CUSTOMERS))]
    return [Sheet(N_("products"), _PRODUCT_COLUMNS, rows(_PRODUCTS))]


def _kpi_sheets(report: KpiReport, fmt: str) -> list[Sheet]:
    current, previous = report.current, report.previous
    summary = [
        [N_("Orders"), current.orders, previous.orders],
        [N_("Revenue"), current.revenue, previous.revenue],
        [N_("Average ticket"), current.average_ticket, previous.average_ticket],
        [N_("New customers"), current.new_customers, previous.new_customers],
        [N_("Returning customers"), current.returning_customers, previous.returning_customers],
    ]
    sheets = [
        Sheet(
            N_("summary"),
            [(N_("Metric"), "word", 22), (N_("Current"), "money", 14), (N_("Previous"), "money", 14)],
            lambda: summary,
        ),
        _table(N_("series"), [(N_("Day"), "date", 12)], [[p.start, p.orders, p.revenue] for p in current.series]),
        _table(
            N_("by status"),
            [(N_("Status"), "word", 12)],
            [[s.status, s.orders, s.revenue] for s in current.by_status],
        ),
        Sheet(
            N_("top products"),
            [
                (N_("SKU"), "text", 14),
                (N_("Name"), "text", 28),
                (N_("Quantity"), "int", 10),
                (N_("Revenue"), "money", 14),
            ],
            lambda: [[p.sku, p.name, p.quantity, p.revenue] for p in current.top_products],
        ),
        Sheet(
            N_("top customers"),
            [(N_("ID"), "int", 8), (N_("Name"), "text", 24), (N_("Orders"), "int", 10), (N_("Revenue"), "money", 14)],
            lambda: [[c.customer_id, c.name, c.orders, c.revenue] for c in current.top_customers],
        ),
        _table(
            N_("cities"),
            [(N_("City"), "text", 18), (N_("Region"), "text", 18)],
            [[p.city, p.region, p.orders, p.revenue] for p in current.by_city],
        ),
        _table(
            N_("regions"), [(N_("Region"), "text", 18)], [[p.region, p.orders, p.revenue] for p in current.by_region]
        ),
        _table(
            N_("zones"),
            [(N_("Fulfilment"), "word", 12), (N_("Zone"), "text", 18)],
            [[z.fulfilment, z.zone, z.orders, z.revenue] for z in current.by_zone],
        ),
    ]
    if fmt == "csv":
        return [
            Sheet(
                "kpis",
                [
                    (N_("Section"), "text", 0),
                    (N_("Key"), "text", 0),
                    (N_("Count"), "int", 0),
                    (N_("Amount"), "money", 0),
                ],
                lambda: _flat(current),
            )
        ]
    return sheets


FULFILMENT_WORDS = (N_("delivery"), N_("pickup"))
"""How an order was fulfilled, as words for the catalogs (the zones sheet shows them translated)."""


def _table(name: str, keys: Sequence[tuple[str, str, int]], rows: Sequence[Sequence[Any]]) -> Sheet:
    return Sheet(name, [*keys, (N_("Orders"), "int", 10), (N_("Revenue"), "money", 14)], lambda: rows)


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
    yield from (["zone", f"{z.fulfilment} / {z.zone}", z.orders, z.revenue] for z in period.by_zone)
