"""The superadmin dashboard: every tenant over a range, from summary tables in the control database.

`tenant_daily` holds one row per tenant and local day with aggregates only (counts and sums, no
customer data), `tenant_monthly` the same per month, `tenant_sizes` each database's last measured
size. They are refreshed from the tenant's rollups right after an order change commits
(`refresh_summary`, called by the rollup hook), and `rebuild_summary` / `rebuild_all` repair them.
So a dashboard request reads the control database only and never opens a tenant database.

The WhatsApp figures are counted from the tenant's inbox and outbox on each refresh, over the
refreshed days only (indexes of t0016): messages in are the messages received that day, messages
out the bot's and the staff's messages written that day that WhatsApp accepted and did not report
undelivered, failed sends those it refused or reported undelivered. The inbox worker, the outbox
sender and a webhook with a "failed" status mark their tenant's recent days
(`summaries.message_hook`), so the figures follow the messages as orders' figures follow the orders.

A day is each tenant's own local day (the rollups' days). A range of dates means those calendar
days in every tenant's zone; the latest days (`report_latest`: today, the last 7 or 30 days, the
month so far) end on each tenant's own today, so a business in Mexico City still has its evening
under "today" after midnight UTC.

Two refreshes of one day racing could write in the wrong order and leave slightly stale totals;
each refresh reads committed totals, so the next change or a rebuild puts the day right.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from comandia.server.db.sessions import Databases
from comandia.server.services.kpis.ranges import month_split, next_bucket
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.times import PERIODS, period_days, utcnow
from comandia.shared.i18n import N_
from comandia.shared.schemas.kpis import ADMIN_SORTS, AdminReport, StatusCount, TenantActivity

SIZE_EVERY_SECONDS = 600.0
"""Measure a tenant database's size at most this often (pg_database_size walks its files)."""

_DAY_TOTALS = (
    "SELECT s.day, coalesce(sum(s.orders) FILTER (WHERE s.status <> 'cancelled'), 0),"
    " coalesce(sum(s.orders) FILTER (WHERE s.status = 'cancelled'), 0),"
    " coalesce(sum(s.revenue) FILTER (WHERE s.status <> 'cancelled'), 0),"
    " (SELECT count(*) FROM kpi_daily_customers c WHERE c.day = s.day AND c.orders > 0)"
    " FROM kpi_daily_sales s {where} GROUP BY s.day"
)
# A message out was accepted by WhatsApp and not reported undelivered; a failed send was refused
# (state) or reported undelivered (status). The two never count one message twice.
_OUT = "o.state = 'sent' AND o.status IS DISTINCT FROM 'failed'"
_FAILED = "(o.state = 'failed' OR o.status = 'failed')"
# The given local days, each as its UTC bounds: one index range per day and table (t0016).
_MESSAGE_DAYS = (
    "SELECT b.day,"
    " (SELECT count(*) FROM inbox i WHERE i.received_at >= b.lo AND i.received_at < b.hi),"
    f" (SELECT count(*) FROM outbox o WHERE o.created_at >= b.lo AND o.created_at < b.hi AND {_OUT}),"
    f" (SELECT count(*) FROM outbox o WHERE o.created_at >= b.lo AND o.created_at < b.hi AND {_FAILED})"
    " FROM unnest(CAST(:days AS date[]), CAST(:los AS timestamptz[]), CAST(:his AS timestamptz[])) AS b(day, lo, hi)"
)
# Every day with a message (a rebuild: the whole inbox and outbox, once).
_ALL_MESSAGE_DAYS = (
    "SELECT day, sum(n_in), sum(n_out), sum(n_failed) FROM ("
    " SELECT (received_at AT TIME ZONE :zone)::date AS day, 1 AS n_in, 0 AS n_out, 0 AS n_failed FROM inbox"
    f" UNION ALL SELECT (o.created_at AT TIME ZONE :zone)::date, 0, ({_OUT})::int, ({_FAILED})::int FROM outbox o"
    ") m GROUP BY day"
)
_FIGURES = ("orders", "cancelled", "revenue", "customers", "messages_in", "messages_out", "failed_sends")
_UPSERT = (
    f"INSERT INTO tenant_daily (tenant_id, day, {', '.join(_FIGURES)}, updated_at) "
    f"VALUES (:tenant, :day, {', '.join(':' + f for f in _FIGURES)}, now()) "
    "ON CONFLICT (tenant_id, day) DO UPDATE SET "
    + ", ".join(f"{f} = EXCLUDED.{f}" for f in _FIGURES)
    + ", updated_at = now()"
)
_MONTHS = (
    f"INSERT INTO tenant_monthly (tenant_id, day, {', '.join(_FIGURES)}, updated_at) "
    "SELECT tenant_id, date_trunc('month', day)::date, "
    + ", ".join(f"sum({f})" for f in _FIGURES)
    + ", now() FROM tenant_daily WHERE tenant_id = :t AND day >= :lo AND day < :hi "
    "AND date_trunc('month', day)::date = ANY(:months) GROUP BY 1, 2 "
    "ON CONFLICT (tenant_id, day) DO UPDATE SET "
    + ", ".join(f"{f} = EXCLUDED.{f}" for f in _FIGURES)
    + ", updated_at = now()"
)
_SIZE = (
    "INSERT INTO tenant_sizes (tenant_id, db_bytes, measured_at) VALUES (:t, :b, now()) "
    "ON CONFLICT (tenant_id) DO UPDATE SET db_bytes = EXCLUDED.db_bytes, measured_at = now()"
)
_SORT_SQL = {
    "revenue": "revenue", "orders": "orders", "customers": "active_customers",
    "last_activity": "last_activity", "db_bytes": "db_bytes", "name": "lower(t.name)",
}  # fmt: skip
_COLUMNS = "tenant_id, orders, revenue, customers, messages_in, messages_out, failed_sends"
# Whole months from tenant_monthly, the ragged ends from tenant_daily (see kpis._month_split);
# the last activity is one backward index probe per tenant.
_PARTS = (
    "WITH parts AS ("
    f" SELECT {_COLUMNS} FROM tenant_daily WHERE day >= :f AND day < :d1 UNION ALL"
    f" SELECT {_COLUMNS} FROM tenant_monthly WHERE day >= :mf AND day < :mt UNION ALL"
    f" SELECT {_COLUMNS} FROM tenant_daily WHERE day >= :d3 AND day <= :t),"
)
# The latest days: each zone's own range (a month at most, so from the daily table alone).
_LATEST_PARTS = (
    "WITH bounds AS (SELECT * FROM unnest(CAST(:zones AS text[]), CAST(:firsts AS date[]),"
    " CAST(:lasts AS date[])) AS b(zone, first_day, last_day)),"
    " parts AS (SELECT " + ", ".join(f"d.{c}" for c in _COLUMNS.split(", ")) + " FROM tenant_daily d"
    " JOIN tenants z ON z.id = d.tenant_id JOIN bounds b ON b.zone = z.timezone"
    " WHERE d.day >= b.first_day AND d.day <= b.last_day),"
)
_REPORT = (
    " sums AS (SELECT tenant_id, sum(orders) AS orders, sum(revenue) AS revenue,"
    " sum(customers) AS active_customers, sum(messages_in) AS messages_in,"
    " sum(messages_out) AS messages_out, sum(failed_sends) AS failed_sends FROM parts GROUP BY tenant_id) "
    "SELECT t.id, t.name, t.state, coalesce(s.orders, 0) AS orders, coalesce(s.revenue, 0) AS revenue,"
    " t.currency, coalesce(s.active_customers, 0) AS active_customers, l.last_activity, z.db_bytes,"
    " coalesce(s.messages_in, 0), coalesce(s.messages_out, 0), coalesce(s.failed_sends, 0) "
    "FROM tenants t LEFT JOIN sums s ON s.tenant_id = t.id LEFT JOIN tenant_sizes z ON z.tenant_id = t.id "
    "LEFT JOIN LATERAL (SELECT d.day AS last_activity FROM tenant_daily d WHERE d.tenant_id = t.id"
    " AND d.orders + d.cancelled > 0 ORDER BY d.day DESC LIMIT 1) l ON true "
    "WHERE t.state <> 'deleted' ORDER BY {order} NULLS LAST, t.id"
)


class AdminKpiService:
    """The control database's per-tenant daily summary and the superadmin report over it."""

    def __init__(
        self,
        databases: Databases,
        clock: Callable[[], dt.datetime] = utcnow,
        zone: Callable[[str], str] | None = None,
    ) -> None:
        """Args: zone: tenant id -> its IANA time zone, whose days the message figures count
        (default: read from the tenant registry on each refresh)."""
        self._db = databases
        self._clock = clock
        self._zone = zone or self._registered_zone
        self._sized: dict[str, float] = {}
        self._lock = threading.Lock()

    def refresh_summary(self, tenant_id: str, days: Iterable[dt.date]) -> None:
        """Copy the tenant's totals of `days` from its rollups, and its messages of those days, into `tenant_daily`."""
        wanted = sorted(set(days))
        if wanted:
            self._copy(tenant_id, "WHERE s.day = ANY(:days)", {"days": wanted}, replace=False)

    def rebuild_summary(self, tenant_id: str) -> None:
        """Replace every `tenant_daily` row of the tenant with its rollups' totals and message counts."""
        self._copy(tenant_id, "", {}, replace=True)

    def rebuild_all(self, tenant_ids: Iterable[str]) -> None:
        for tenant_id in tenant_ids:
            self.rebuild_summary(tenant_id)

    def report(self, from_day: dt.date, to_day: dt.date, sort: str = "-revenue") -> AdminReport:
        """Totals and one row per live tenant over the range, sorted by `sort` (``-`` = descending).

        Raises:
            ValidationFailed: an unknown sort key (field ``sort``) or a bad range (field ``from``).
        """
        order = _order(sort)
        if from_day > to_day:
            raise ValidationFailed("the range ends before it starts", {"from": N_("must not be after `to`")})
        with self._db.control_session() as session:
            rows = session.execute(
                sa.text(_PARTS + _REPORT.replace("{order}", order)), month_split(from_day, to_day)
            ).all()
        return _report(rows, from_day, to_day, sort)

    def report_latest(self, period: str, sort: str = "-revenue") -> AdminReport:
        """Like `report`, over the latest days, each ending on the tenant's own today: `period`
        is one of PERIODS. The answer's `from_day`/`to_day` span every tenant's range.

        Raises:
            ValidationFailed: an unknown period (field ``period``) or sort key (field ``sort``).
        """
        if period not in PERIODS:
            raise ValidationFailed(
                "unknown period", {"period": N_("must be one of {choices}")}, choices=", ".join(PERIODS)
            )
        order, now = _order(sort), self._clock()
        with self._db.control_session() as session:
            zones = sorted(session.scalars(sa.text("SELECT DISTINCT timezone FROM tenants WHERE state <> 'deleted'")))
            ranges = [period_days(period, now.astimezone(ZoneInfo(zone)).date()) for zone in zones]
            firsts, lasts = [r[0] for r in ranges], [r[1] for r in ranges]
            rows = session.execute(
                sa.text(_LATEST_PARTS + _REPORT.replace("{order}", order)),
                {"zones": zones, "firsts": firsts, "lasts": lasts},
            ).all()
        today = now.date()
        return _report(rows, min(firsts, default=today), max(lasts, default=today), sort)

    def _copy(self, tenant_id: str, where: str, params: dict[str, object], replace: bool) -> None:
        zone = self._zone(tenant_id)
        with self._db.tenant_session(tenant_id) as session:
            rows = session.execute(sa.text(_DAY_TOTALS.format(where=where)), params).all()
            if replace:
                messages = session.execute(sa.text(_ALL_MESSAGE_DAYS), {"zone": zone}).all()
            else:
                messages = session.execute(sa.text(_MESSAGE_DAYS), _day_bounds(params["days"], zone)).all()
            size = self._size(session, tenant_id, force=replace)
        values = _day_values(tenant_id, rows, messages)
        months = sorted({r["day"].replace(day=1) for r in values})
        with self._db.control_session() as control:
            if replace:
                for table in ("tenant_daily", "tenant_monthly"):
                    control.execute(sa.text(f"DELETE FROM {table} WHERE tenant_id = :t"), {"t": tenant_id})
            if values:
                control.execute(sa.text(_UPSERT), values)
                span = {"lo": months[0], "hi": next_bucket(months[-1], "month")}
                control.execute(sa.text(_MONTHS), {"t": tenant_id, "months": months, **span})
            if size is not None:
                control.execute(sa.text(_SIZE), {"t": tenant_id, "b": size})
            control.commit()

    def _registered_zone(self, tenant_id: str) -> str:
        with self._db.control_session() as session:
            zone = session.scalar(sa.text("SELECT timezone FROM tenants WHERE id = :t"), {"t": tenant_id})
        return str(zone or "UTC")

    def _size(self, session: sa.orm.Session, tenant_id: str, force: bool) -> int | None:
        now = time.monotonic()
        with self._lock:
            due = force or now - self._sized.get(tenant_id, -SIZE_EVERY_SECONDS) >= SIZE_EVERY_SECONDS
            if due:
                self._sized[tenant_id] = now
        if not due:
            return None
        return int(session.scalar(sa.text("SELECT pg_database_size(current_database())")) or 0)


def _day_bounds(days: object, timezone: str) -> dict[str, list[Any]]:
    """`days` (local dates) with the UTC instants each starts and ends at, for `_MESSAGE_DAYS`."""
    assert isinstance(days, list)
    zone = ZoneInfo(timezone)
    starts = [dt.datetime.combine(d, dt.time(), zone).astimezone(dt.UTC) for d in days]
    ends = [dt.datetime.combine(d + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC) for d in days]
    return {"days": days, "los": starts, "his": ends}


def _day_values(tenant_id: str, orders: Sequence[Any], messages: Sequence[Any]) -> list[dict[str, Any]]:
    """One `tenant_daily` row per day with orders or messages (a day with neither is left out)."""
    by_day: dict[dt.date, dict[str, Any]] = {}

    def row(day: dt.date) -> dict[str, Any]:
        empty = dict.fromkeys(_FIGURES, 0)
        return by_day.setdefault(day, {"tenant": tenant_id, "day": day, **empty})

    for r in orders:
        row(r[0]).update(orders=int(r[1]), cancelled=int(r[2]), revenue=r[3], customers=int(r[4]))
    for r in messages:
        if r[0] in by_day or any(r[1:]):
            row(r[0]).update(messages_in=int(r[1]), messages_out=int(r[2]), failed_sends=int(r[3]))
    return [by_day[d] for d in sorted(by_day)]


def _order(sort: str) -> str:
    """The ORDER BY of `sort` (``-`` = descending). Raises: ValidationFailed (field ``sort``)."""
    key = sort.removeprefix("-")
    if key not in ADMIN_SORTS:
        raise ValidationFailed(
            "unknown sort key", {"sort": N_("must be one of {choices}")}, choices=", ".join(ADMIN_SORTS)
        )
    return f"{_SORT_SQL[key]} {'DESC' if sort.startswith('-') else 'ASC'}"


def _report(rows: Sequence[Any], from_day: dt.date, to_day: dt.date, sort: str) -> AdminReport:
    """Totals (revenue per currency) and one row per tenant, as the query returned them."""
    tenants = tuple(
        TenantActivity(
            r[0],
            r[1],
            r[2],
            int(r[3]),
            Decimal(r[4]),
            r[5],
            int(r[6]),
            r[7],
            None if r[8] is None else int(r[8]),
            int(r[9]),
            int(r[10]),
            int(r[11]),
        )
        for r in rows
    )
    by_currency: dict[str, list[Decimal]] = {}
    for t in tenants:
        entry = by_currency.setdefault(t.currency, [Decimal(0), Decimal(0)])
        entry[0] += t.orders
        entry[1] += t.revenue
    return AdminReport(
        from_day=from_day,
        to_day=to_day,
        sort=sort,
        tenants_count=len(tenants),
        orders=sum(t.orders for t in tenants),
        revenue_by_currency=tuple(StatusCount(c, int(v[0]), v[1]) for c, v in sorted(by_currency.items())),
        active_customers=sum(t.active_customers for t in tenants),
        tenants=tenants,
    )
