"""KPI rollups kept in step with orders, inside the order's own transaction.

`Rollups` is OrderService's `on_change` hook. For every change it takes away what the order
contributed before and adds what it contributes now, as deltas applied with
``INSERT ... ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n``: two concurrent orders on one day both
land, because the row lock serialises the additions instead of one overwriting the other. Keys
are written in sorted order so two transactions lock rows in the same order (no deadlocks).

What counts (docs/kpis.md): an order belongs to the local day of its `created_at` in the tenant's
time zone. `kpi_daily_sales` holds every status (for "orders by status"); the other tables hold
sales only, so a cancellation removes the order from them. Test orders (`TEST_CHANNELS`: the test
chat's) count nowhere: nobody bought anything.

`rebuild(session, timezone)` recomputes everything from the raw tables (repair, migrations).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction

from comandia.server.db.pipelines import Pipeline, pipelined
from comandia.shared.domain.orders import TEST_CHANNELS
from comandia.shared.schemas.orders import OrderDetail

log = logging.getLogger(__name__)

CANCELLED = "cancelled"
DaysChanged = Callable[[str, set[dt.date]], None]
"""Called as ``days_changed(tenant_id, days)`` after a transaction that changed rollups commits."""

# table -> (key columns, summed columns)
_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "kpi_daily_sales": (("day", "status"), ("orders", "revenue")),
    **{f"kpi_{grain}_products": (("day", "sku"), ("quantity", "revenue")) for grain in ("daily", "monthly")},
    **{
        f"kpi_{grain}_customers": (("day", "customer_id"), ("orders", "revenue"))
        for grain in ("daily", "monthly", "yearly")
    },
    **{f"kpi_{grain}_places": (("day", "city", "region"), ("orders", "revenue")) for grain in ("daily", "monthly")},
    **{f"kpi_{grain}_zones": (("day", "fulfilment", "zone"), ("orders", "revenue")) for grain in ("daily", "monthly")},
}
ROLLUP_TABLES = (*_TABLES, "kpi_customer_first")

Deltas = dict[str, dict[tuple[object, ...], list[Decimal]]]


def local_day(instant: dt.datetime, timezone: str) -> dt.date:
    """The tenant's calendar day of `instant` (an aware datetime)."""
    return instant.astimezone(ZoneInfo(timezone)).date()


class Rollups:
    """The `on_change` hook of OrderService that keeps the KPI rollups current.

    Args:
        zones: tenant_id -> IANA time zone (`KpiService.zone`).
        days_changed: called after the order's transaction commits with the local days it
            touched, to refresh the control database's summary; its failures are logged, never
            raised (the order is already committed and the summary can be rebuilt).
    """

    def __init__(self, zones: Callable[[str], str], days_changed: DaysChanged | None = None) -> None:
        self._zones = zones
        self._days_changed = days_changed

    def __call__(self, session: Session, tenant_id: str, before: OrderDetail | None, after: OrderDetail) -> None:
        zone = self._zones(tenant_id)
        deltas: Deltas = {table: defaultdict(lambda: [Decimal(0), Decimal(0)]) for table in _TABLES}
        names: dict[str, str] = {}
        if before is not None:
            _contribute(deltas, names, before, zone, -1)
        _contribute(deltas, names, after, zone, +1)
        # Every rollup write in one round trip: nothing here reads an answer back.
        with pipelined(session) as pipeline:
            apply_deltas(pipeline, deltas, names)
            refresh_first_sales(pipeline, {after.customer_id} | ({before.customer_id} if before else set()))
        if self._days_changed is not None:
            days = {local_day(after.created_at, zone)}
            if before is not None:
                days.add(local_day(before.created_at, zone))
            self._remember(session, tenant_id, days)

    def _remember(self, session: Session, tenant_id: str, days: set[dt.date]) -> None:
        pending: dict[str, set[dt.date]] = session.info.setdefault("kpi_days", {})
        pending.setdefault(tenant_id, set()).update(days)
        if not session.info.get("kpi_listening"):
            session.info["kpi_listening"] = True
            sa.event.listen(session, "after_commit", _mark_committed)
            sa.event.listen(session, "after_rollback", _forget_pending)
            sa.event.listen(session, "after_transaction_end", self._after_end)

    def _after_end(self, session: Session, transaction: SessionTransaction) -> None:
        # Only now has the session given its connection back: refreshing reads the tenant's
        # rollups on a connection of its own, and holding two per thread could drain the pool.
        if transaction.parent is not None:
            return
        committed: dict[str, set[dt.date]] = session.info.pop("kpi_days_committed", {})
        assert self._days_changed is not None
        for tenant_id, days in committed.items():
            try:
                self._days_changed(tenant_id, days)
            except Exception:  # the order is committed; the summary is repairable by a rebuild
                log.exception("could not refresh the KPI summary of tenant %s", tenant_id)


def _mark_committed(session: Session) -> None:
    committed: dict[str, set[dt.date]] = session.info.setdefault("kpi_days_committed", {})
    for tenant_id, days in session.info.pop("kpi_days", {}).items():
        committed.setdefault(tenant_id, set()).update(days)


def _forget_pending(session: Session) -> None:
    session.info.pop("kpi_days", None)


def _contribute(deltas: Deltas, names: dict[str, str], order: OrderDetail, zone: str, sign: int) -> None:
    if order.channel in TEST_CHANNELS:
        return
    day = local_day(order.created_at, zone)
    one, total = Decimal(sign), order.total * sign
    _add(deltas["kpi_daily_sales"], (day, order.status), one, total)
    if order.status == CANCELLED:
        return
    for grain, bucket in (("daily", day), ("monthly", day.replace(day=1))):
        for item in order.items:
            quantity = Decimal(item.quantity * sign)
            _add(deltas[f"kpi_{grain}_products"], (bucket, item.sku), quantity, item.line_total * sign)
            names[item.sku] = item.name
        _add(deltas[f"kpi_{grain}_customers"], (bucket, order.customer_id), one, total)
        place = (bucket, order.delivery_city or "", order.delivery_region or "")
        _add(deltas[f"kpi_{grain}_places"], place, one, total)
        _add(deltas[f"kpi_{grain}_zones"], (bucket, order.fulfilment, order.delivery_zone or ""), one, total)
    _add(deltas["kpi_yearly_customers"], (day.replace(month=1, day=1), order.customer_id), one, total)


def _add(table: dict[tuple[object, ...], list[Decimal]], key: tuple[object, ...], a: Decimal, b: Decimal) -> None:
    row = table[key]
    row[0] += a
    row[1] += b


def apply_deltas(pipeline: Pipeline, deltas: Deltas, names: dict[str, str]) -> None:
    """Add `deltas` (table -> key -> [count, amount]) to the rollups; zero deltas are skipped."""
    for table, rows in deltas.items():
        keys, sums = _TABLES[table]
        params = []
        for key in sorted(rows, key=repr):  # one lock order for every transaction
            values = rows[key]
            if values[0] == 0 and values[1] == 0:
                continue
            row: dict[str, object] = dict(zip(keys, key, strict=True))
            row.update({sums[0]: int(values[0]), sums[1]: values[1]})
            if table.endswith("_products"):
                row["name"] = names.get(str(key[1]), "")
            params.append(row)
        pipeline.execute_many(_UPSERTS[table], params)


def _upsert_sql(table: str) -> str:
    keys, sums = _TABLES[table]
    columns = [*keys, *(["name"] if table.endswith("_products") else []), *sums]
    updates = [f"{c} = {table}.{c} + EXCLUDED.{c}" for c in sums]
    if table.endswith("_products"):
        updates.append("name = EXCLUDED.name")
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(f'%({c})s' for c in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(updates)}"
    )


_UPSERTS = {table: _upsert_sql(table) for table in _TABLES}
_FIRST_SALES = (
    "SELECT customer_id FROM kpi_customer_first WHERE customer_id = ANY(%(ids)s) ORDER BY customer_id FOR UPDATE",
    "INSERT INTO kpi_customer_first (customer_id, first_day) SELECT customer_id, min(day) "
    "FROM kpi_daily_customers WHERE customer_id = ANY(%(ids)s) AND orders > 0 GROUP BY customer_id "
    "ON CONFLICT (customer_id) DO UPDATE SET first_day = EXCLUDED.first_day",
    "DELETE FROM kpi_customer_first k WHERE customer_id = ANY(%(ids)s) AND NOT EXISTS (SELECT 1 "
    "FROM kpi_daily_customers d WHERE d.customer_id = k.customer_id AND d.orders > 0)",
)


def refresh_first_sales(pipeline: Pipeline, customer_ids: set[int]) -> None:
    """Set each customer's first sale day from the daily rollup (no sale left: no row).

    The customers' `kpi_customer_first` rows are locked first and then updated in place (never
    deleted and re-inserted, so a waiting transaction follows the row): two transactions changing
    one customer's orders recompute one after the other, and the second, in a new statement (READ
    COMMITTED takes a fresh snapshot), sees the first's committed rollups. This lock is taken
    after the product and rollup locks, as every order change does, so it cannot deadlock; the
    customer row is deliberately not locked here (order creation takes it before the products).
    In a pipeline these are still three statements, run in this order, each with its own snapshot.
    """
    params = {"ids": sorted(customer_ids)}
    for statement in _FIRST_SALES:
        pipeline.execute(statement, params)


_DAY = "(o.created_at AT TIME ZONE :tz)::date"
# The customer rollups are written in (day, customer_id) order: readers scan a range of days, and
# a heap in day order serves it from a few pages instead of one page per row (live changes are
# appended day by day, so they stay close to that order).
_COUNTED = "o.channel NOT IN ({})".format(", ".join(f"'{c}'" for c in sorted(TEST_CHANNELS)))
_SALE = f"o.status <> 'cancelled' AND {_COUNTED}"
_REBUILD = (
    f"INSERT INTO kpi_daily_sales (day, status, orders, revenue) "
    f"SELECT {_DAY}, o.status, count(*), sum(o.total) FROM orders o WHERE {_COUNTED} GROUP BY 1, 2",
    f"INSERT INTO kpi_daily_products (day, sku, name, quantity, revenue) "
    f"SELECT {_DAY}, i.sku, max(i.name), sum(i.quantity), sum(i.line_total) "
    f"FROM orders o JOIN order_items i ON i.order_id = o.id WHERE {_SALE} GROUP BY 1, 2",
    f"INSERT INTO kpi_daily_customers (day, customer_id, orders, revenue) "
    f"SELECT {_DAY}, o.customer_id, count(*), sum(o.total) FROM orders o WHERE {_SALE} GROUP BY 1, 2 ORDER BY 1, 2",
    f"INSERT INTO kpi_daily_places (day, city, region, orders, revenue) "
    f"SELECT {_DAY}, coalesce(o.delivery_city, ''), coalesce(o.delivery_region, ''), count(*), "
    "sum(o.total) "
    f"FROM orders o WHERE {_SALE} GROUP BY 1, 2, 3",
    f"INSERT INTO kpi_daily_zones (day, fulfilment, zone, orders, revenue) "
    f"SELECT {_DAY}, o.fulfilment, coalesce(o.delivery_zone, ''), count(*), sum(o.total) "
    f"FROM orders o WHERE {_SALE} GROUP BY 1, 2, 3",
    "INSERT INTO kpi_monthly_zones (day, fulfilment, zone, orders, revenue) "
    "SELECT date_trunc('month', day)::date,"
    " fulfilment, zone, sum(orders), sum(revenue) FROM kpi_daily_zones GROUP BY 1, 2, 3",
    "INSERT INTO kpi_monthly_products (day, sku, name, quantity, revenue) "
    "SELECT date_trunc('month', day)::date,"
    " sku, max(name), sum(quantity), sum(revenue) FROM kpi_daily_products GROUP BY 1, 2",
    "INSERT INTO kpi_monthly_customers (day, customer_id, orders, revenue) "
    "SELECT date_trunc('month', day)::date,"
    " customer_id, sum(orders), sum(revenue) FROM kpi_daily_customers GROUP BY 1, 2 ORDER BY 1, 2",
    "INSERT INTO kpi_yearly_customers (day, customer_id, orders, revenue) "
    "SELECT date_trunc('year', day)::date,"
    " customer_id, sum(orders), sum(revenue) FROM kpi_monthly_customers GROUP BY 1, 2 ORDER BY 1, 2",
    "INSERT INTO kpi_monthly_places (day, city, region, orders, revenue) "
    "SELECT date_trunc('month', day)::date,"
    " city, region, sum(orders), sum(revenue) FROM kpi_daily_places GROUP BY 1, 2, 3",
    "INSERT INTO kpi_customer_first (customer_id, first_day) SELECT customer_id, min(day) "
    "FROM kpi_daily_customers GROUP BY customer_id",
)


def rebuild(session: Session, timezone: str) -> None:
    """Recompute every rollup of the session's tenant from its raw tables; the caller commits.

    Takes an exclusive lock on the rollup tables first, so order changes wait for the rebuild
    instead of adding deltas to rows that are being replaced.
    """
    # A maintenance job over every order legitimately outlasts the per-request statement timeout.
    session.execute(sa.text("SET LOCAL statement_timeout = 0"))
    session.execute(sa.text(f"LOCK TABLE {', '.join(ROLLUP_TABLES)} IN EXCLUSIVE MODE"))
    session.execute(sa.text(f"TRUNCATE {', '.join(ROLLUP_TABLES)}"))
    for statement in _REBUILD:
        session.execute(sa.text(statement), {"tz": timezone})
    for table in ROLLUP_TABLES:  # fresh statistics, or the planner guesses from empty tables
        session.execute(sa.text(f"ANALYZE {table}"))


def settle(session: Session) -> None:
    """VACUUM the rollup tables after a rebuild, in a session that has run nothing yet.

    A rebuild rewrites every row: until vacuumed, the first readers set hint bits on every page
    and the visibility map is empty, so dashboards read right after a rebuild are several times
    slower until autovacuum gets to them. VACUUM cannot run in a transaction, hence autocommit.
    """
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    session.execute(sa.text(f"VACUUM {', '.join(ROLLUP_TABLES)}"))
