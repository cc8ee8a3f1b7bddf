"""A tenant's KPI dashboard, read from the rollups only (never from the raw orders).

What counts as a sale and on which day is defined once in docs/kpis.md: an order that is not
cancelled counts on the tenant-local day of its `created_at`; "orders by status" counts every
order created in the range under its current status. Each KPI comes with the previous range of
the same length, so the dashboard can show the change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.chat.model import TenantContext
from comandia.server.db.control_models import PendingSummaryRebuild
from comandia.server.db.sessions import Databases
from comandia.server.services.kpis import rollups
from comandia.server.services.kpis.admin_reports import AdminKpiService
from comandia.server.services.kpis.ranges import cover, next_bucket
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.shared.domain.errors import DomainError, NotFound, ValidationFailed
from comandia.shared.i18n import N_
from comandia.shared.schemas.kpis import (
    GRANULARITIES,
    CustomerSales,
    KpiPeriod,
    KpiReport,
    PlaceSales,
    ProductSales,
    SeriesPoint,
    StatusCount,
    ZoneSales,
)

MAX_RANGE_DAYS = 3 * 366
TOP = 10
TOP_PLACES = 20
SUMMARY_CATCH_UP_LOCK = "comandia.summary_catch_up"
"""The advisory lock that lets one process at a time catch the summary up."""
PENDING_REBUILD_LOCK = "comandia.summary_rebuild:{tenant_id}"
"""The advisory lock of one tenant's pending summary rebuild: one process rebuilds it."""

log = logging.getLogger(__name__)
_ZERO = Decimal("0.00")


class KpiService:
    """Tenant dashboards and the rollups behind them.

    Args:
        databases: the appliance's databases.
        contexts: each tenant's time zone and currency.
        admin: refreshes the control database's per-tenant summary after order changes.
    """

    def __init__(self, databases: Databases, contexts: TenantContexts, admin: AdminKpiService | None = None) -> None:
        self._db = databases
        self._contexts = contexts
        self.admin = admin or AdminKpiService(databases, zone=self.zone)

    def zone(self, tenant_id: str) -> str:
        """The tenant's IANA time zone: its days are the KPIs' days. Raises: NotFound."""
        return self._contexts.get(tenant_id).timezone

    def context(self, tenant_id: str) -> TenantContext:
        """The tenant's facts (zone, currency, country locale) for exports. Raises: NotFound."""
        return self._contexts.get(tenant_id)

    def on_change_hook(self, days_changed: rollups.DaysChanged | None = None) -> rollups.Rollups:
        """The `on_change` to give OrderService: rollups in-transaction, then after commit
        `days_changed` (default: copy the days into the control database's summary at once)."""
        return rollups.Rollups(self.zone, days_changed or self.admin.refresh_summary)

    def catch_up_summaries(self, tenant_ids: Iterable[str]) -> bool:
        """Copy the days around today (in any zone) of `tenant_ids` into the summary.

        One process at a time on the appliance (an advisory lock): a process that finds another
        catching up skips, since that one copies the same days. A tenant whose database does not
        answer is logged and left for the next catch-up; the others are copied. Returns whether
        this one copied.
        """
        today = dt.datetime.now(dt.UTC).date()
        days = {today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)}
        with self._db.control_lock(SUMMARY_CATCH_UP_LOCK) as held:
            if not held:
                return False
            for tenant_id in tenant_ids:
                try:
                    self.admin.refresh_summary(tenant_id, days)
                except DomainError as error:  # one tenant's database away never holds back the others
                    log.warning("the summary of tenant %s waits for the next catch-up: %s", tenant_id, error.detail)
        return True

    def rebuild_pending_summaries(self) -> list[str]:
        """Rebuild, once, the summary of each tenant an upgrade listed in `pending_summary_rebuilds`.

        A migration that makes the summary count something new lists the tenants whose past days
        lack it (c0014: the messages of the days summed before t0016, which showed 0 until
        someone ran `kpis rebuild`). The summary's catch-up calls this: the jobs process at its
        start, again when a request process asks. Each tenant is rebuilt under its own advisory
        lock (a process that finds another on it skips it; a lock is held for one tenant's
        rebuild) and its row is deleted with that lock held, so it happens once across
        processes. A tenant whose database is away stays listed for the next catch-up; one
        deleted since is struck off.

        Returns:
            The tenants this call rebuilt.
        """
        with self._db.control_session() as session:
            listed = list(session.scalars(sa.select(PendingSummaryRebuild.tenant_id).order_by("tenant_id")))
        rebuilt: list[str] = []
        for tenant_id in listed:
            with self._db.control_lock(PENDING_REBUILD_LOCK.format(tenant_id=tenant_id)) as held:
                if held and self._rebuild_listed(tenant_id):
                    rebuilt.append(tenant_id)
        if rebuilt:
            log.info("rebuilt the summary of %d tenants after the upgrade", len(rebuilt))
        return rebuilt

    def _rebuild_listed(self, tenant_id: str) -> bool:
        """Rebuild the tenant's summary if it is still listed, then strike it off; False if not done."""
        with self._db.control_session() as session:
            if session.get(PendingSummaryRebuild, tenant_id) is None:
                return False  # another process did it since the list was read
        try:
            self.admin.rebuild_summary(tenant_id)
        except NotFound:
            pass  # deleted since: nothing left to count
        except DomainError as error:
            log.warning("the summary of tenant %s waits for the next catch-up: %s", tenant_id, error.detail)
            return False
        self._strike_off(tenant_id)
        return True

    def _strike_off(self, tenant_id: str) -> None:
        """The tenant's summary was rebuilt: nothing an upgrade listed is pending for it."""
        with self._db.control_session() as session:
            session.execute(sa.delete(PendingSummaryRebuild).where(PendingSummaryRebuild.tenant_id == tenant_id))
            session.commit()

    def tenant_report(self, tenant_id: str, from_day: dt.date, to_day: dt.date, granularity: str = "day") -> KpiReport:
        """Every KPI of `from_day`..`to_day` (both included) and of the range just before it.

        Raises:
            ValidationFailed: `from_day` after `to_day`, a range over MAX_RANGE_DAYS, or an
                unknown granularity (fields ``from``, ``granularity``).
            NotFound: no such tenant.
        """
        check_range(from_day, to_day)
        if granularity not in GRANULARITIES:
            raise ValidationFailed("unknown granularity", {"granularity": N_("must be day, week or month")})
        context = self._contexts.get(tenant_id)
        timezone, currency = context.timezone, context.currency
        length = (to_day - from_day).days + 1
        before_to = from_day - dt.timedelta(days=1)
        before_from = before_to - dt.timedelta(days=length - 1)
        with self._db.tenant_session(tenant_id) as session:
            # Each query sums a few tens of thousands of rollup rows: starting parallel workers
            # costs more than it saves (and, with the row counts misestimated after the signed
            # UNION ALL, made the planner sort and merge instead of hashing once).
            # The customer sums hash tens of thousands of groups, which the planner underestimates
            # (signed pieces): give them the memory to stay off disk.
            session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
            session.execute(sa.text("SET LOCAL work_mem = '32MB'"))
            extent = session.execute(sa.text("SELECT min(day), max(day) FROM kpi_daily_sales")).one()
            customers = _top_customers(
                session,
                [_clip(from_day, to_day, *extent), _clip(before_from, before_to, *extent)],
            )
            current = period(session, from_day, to_day, granularity, customers[0])
            previous = period(session, before_from, before_to, granularity, customers[1])
        return KpiReport(
            tenant_id, currency, timezone, granularity, current, previous, country_locale=context.country_locale
        )

    def rebuild(self, tenant_id: str) -> None:
        """Recompute the tenant's rollups from its raw tables, then its control-DB summary (which
        also does what an upgrade left pending for it: `rebuild_pending_summaries` skips it)."""
        timezone = self.zone(tenant_id)
        with self._db.tenant_session(tenant_id) as session:
            rollups.rebuild(session, timezone)
            session.commit()
        with self._db.tenant_session(tenant_id) as session:
            rollups.settle(session)
        self.admin.rebuild_summary(tenant_id)
        self._strike_off(tenant_id)


def check_range(from_day: dt.date, to_day: dt.date) -> None:
    """Raises: ValidationFailed when the range is reversed or longer than MAX_RANGE_DAYS."""
    if from_day > to_day:
        raise ValidationFailed("the range ends before it starts", {"from": N_("must not be after `to`")})
    if (to_day - from_day).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(
            "the range is too long", {"from": N_("ranges span at most {days} days")}, days=MAX_RANGE_DAYS
        )


def period(
    session: Session,
    from_day: dt.date,
    to_day: dt.date,
    granularity: str,
    customers: tuple[tuple[CustomerSales, ...], int] | None = None,
) -> KpiPeriod:
    """Every KPI of one range, from the rollups of the session's tenant.

    `customers` is the range's (top customers, active count) when already read with another range.
    """
    span: dict[str, Any] = {"f": from_day, "t": to_day}
    statuses = [
        StatusCount(status, int(n), Decimal(r))
        for status, n, r in session.execute(
            sa.text(
                "SELECT status, sum(orders), sum(revenue) FROM kpi_daily_sales WHERE day BETWEEN :f AND :t "
                "GROUP BY status HAVING sum(orders) > 0 ORDER BY status"
            ),
            span,
        )
    ]
    sales = [s for s in statuses if s.status != rollups.CANCELLED]
    orders, revenue = sum(s.orders for s in sales), sum((s.revenue for s in sales), _ZERO)
    top_customers, active = customers or _top_customers(session, [(from_day, to_day)])[0]
    new = int(
        session.scalar(sa.text("SELECT count(*) FROM kpi_customer_first WHERE first_day BETWEEN :f AND :t"), span) or 0
    )
    return KpiPeriod(
        from_day=from_day,
        to_day=to_day,
        orders=orders,
        revenue=revenue,
        average_ticket=(revenue / orders).quantize(Decimal("0.01"), ROUND_HALF_UP) if orders else _ZERO,
        new_customers=new,
        returning_customers=active - new,
        series=_series(session, from_day, to_day, granularity),
        by_status=tuple(statuses),
        top_products=_top_products(session, span),
        top_customers=top_customers,
        by_city=_places(session, span, "city, region", lambda row: PlaceSales(row[0], row[1], row[2], row[3])),
        by_region=_places(session, span, "region", lambda row: PlaceSales(None, row[0], row[1], row[2])),
        by_zone=_zones(session, span),
    )


def _series(session: Session, from_day: dt.date, to_day: dt.date, granularity: str) -> tuple[SeriesPoint, ...]:
    """One point per bucket (empty ones too); a bucket starts at the later of its start and `from_day`."""
    rows = {
        max(bucket, from_day): (int(n), Decimal(r))
        for bucket, n, r in session.execute(
            sa.text(
                "SELECT date_trunc(:g, day)::date, sum(orders), sum(revenue) FROM kpi_daily_sales "
                "WHERE day BETWEEN :f AND :t AND status <> 'cancelled' GROUP BY 1"
            ),
            {"g": granularity, "f": from_day, "t": to_day},
        )
    }
    points, start = [], from_day
    while start <= to_day:
        orders, revenue = rows.get(start, (0, _ZERO))
        points.append(SeriesPoint(start, orders, revenue))
        start = next_bucket(start, granularity)
    return tuple(points)


# noun -> (grains of its rollup tables, coarsest first; columns read, the summed ones last)
_NOUNS = {
    "customers": (("yearly", "monthly", "daily"), ("customer_id",), ("orders", "revenue")),
    "products": (("monthly", "daily"), ("sku", "name"), ("quantity", "revenue")),
    "places": (("monthly", "daily"), ("city", "region"), ("orders", "revenue")),
    "zones": (("monthly", "daily"), ("fulfilment", "zone"), ("orders", "revenue")),
}


def _ranged(noun: str, span: dict[str, Any], tag: int = 0) -> tuple[str, dict[str, Any]]:
    """A FROM item whose rows of kpi_{yearly,monthly,daily}_<noun> add up to the range exactly.

    Adds the signed pieces of `kpi_ranges.cover` (a negative piece is subtracted, so a bucket can
    stand for most of itself). Returns it with `span` plus the pieces' bounds (:p<tag>_<i>a, ...);
    each row carries `tag` as column `p`, so several ranges can be read in one statement.
    """
    grains, keys, sums = _NOUNS[noun]
    parts, params = [], dict(span)
    for i, (grain, start, end, sign) in enumerate(cover(span["f"], span["t"] + dt.timedelta(days=1), grains)):
        params[f"p{tag}_{i}a"], params[f"p{tag}_{i}b"] = start, end
        signed = ", ".join(f"{'-' if sign < 0 else ''}{c} AS {c}" for c in sums)
        parts.append(
            f"SELECT {tag} AS p, {', '.join(keys)}, {signed} FROM kpi_{grain}_{noun} "
            f"WHERE day >= :p{tag}_{i}a AND day < :p{tag}_{i}b"
        )
    if not parts:
        parts.append(f"SELECT {tag} AS p, {', '.join(keys)}, {', '.join(sums)} FROM kpi_daily_{noun} WHERE false")
    return f"({' UNION ALL '.join(parts)})", params


def _top_products(session: Session, span: dict[str, Any]) -> tuple[ProductSales, ...]:
    ranged, params = _ranged("products", span)
    rows = session.execute(
        sa.text(
            f"SELECT sku, max(name), sum(quantity) AS q, sum(revenue) AS r FROM {ranged} AS ranged "
            "GROUP BY sku HAVING sum(quantity) > 0 ORDER BY r DESC, q DESC, sku LIMIT :n"
        ),
        {**params, "n": TOP},
    )
    return tuple(ProductSales(sku, name, int(q), r) for sku, name, q, r in rows)


def _clip(from_day: dt.date, to_day: dt.date, first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The range cut to the days that have any order (every rollup row has a `kpi_daily_sales`
    row on its day), so no bucket is read for days without data; empty when none overlap."""
    if first is None or last is None:
        return from_day, from_day - dt.timedelta(days=1)
    return max(from_day, first), min(to_day, last)


def _top_customers(
    session: Session, ranges: list[tuple[dt.date, dt.date]]
) -> list[tuple[tuple[CustomerSales, ...], int]]:
    """(the best customers, how many customers bought) of each range, in one statement.

    The customer rows are the many ones: all ranges are summed in one pass (one hash table keyed
    by range and customer), then each range's top is a top-N heap sort and its count a scan.
    """
    parts, params = [], {"n": TOP}
    for tag, (from_day, to_day) in enumerate(ranges):
        part, part_params = _ranged("customers", {"f": from_day, "t": to_day}, tag)
        parts.append(part)
        params.update({k: v for k, v in part_params.items() if k.startswith("p")})
    tops = " UNION ALL ".join(
        f"(SELECT * FROM active WHERE p = {tag} ORDER BY revenue DESC, orders DESC, customer_id LIMIT :n)"
        for tag in range(len(ranges))
    )
    rows = session.execute(
        sa.text(
            "WITH active AS MATERIALIZED (SELECT p, customer_id, sum(orders) AS orders, "
            f"sum(revenue) AS revenue FROM ({' UNION ALL '.join(parts)}) AS ranged "
            "GROUP BY p, customer_id HAVING sum(orders) > 0) "
            "SELECT p, NULL::bigint, NULL, count(*), NULL FROM active GROUP BY p UNION ALL "
            f"SELECT t.p, t.customer_id, c.name, t.orders, t.revenue FROM ({tops}) AS t "
            "LEFT JOIN customers c ON c.id = t.customer_id "
            "ORDER BY 1, 5 DESC NULLS FIRST, 4 DESC, 2"
        ),
        params,
    ).all()
    result: list[tuple[list[CustomerSales], int]] = [([], 0) for _ in ranges]
    for tag, cid, name, n, revenue in rows:
        if cid is None:
            result[tag] = (result[tag][0], int(n))
        else:
            result[tag][0].append(CustomerSales(int(cid), name, int(n), revenue))
    return [(tuple(top), active) for top, active in result]


def _places(
    session: Session, span: dict[str, Any], columns: str, build: Callable[[Any], PlaceSales]
) -> tuple[PlaceSales, ...]:
    ranged, params = _ranged("places", span)
    rows = session.execute(
        sa.text(
            f"SELECT {columns}, sum(orders) AS n, sum(revenue) AS r FROM {ranged} AS ranged "
            f"GROUP BY {columns} HAVING sum(orders) > 0 "
            f"ORDER BY r DESC, n DESC, {columns} LIMIT :n"
        ),
        {**params, "n": TOP_PLACES},
    )
    return tuple(build(row) for row in rows)


def _zones(session: Session, span: dict[str, Any]) -> tuple[ZoneSales, ...]:
    """Sales by delivery zone (and pickup), the best first; a tenant has at most 50 zones."""
    ranged, params = _ranged("zones", span)
    rows = session.execute(
        sa.text(
            f"SELECT fulfilment, zone, sum(orders) AS n, sum(revenue) AS r FROM {ranged} AS ranged "
            "GROUP BY fulfilment, zone HAVING sum(orders) > 0 ORDER BY r DESC, n DESC, fulfilment, zone"
        ),
        params,
    )
    return tuple(ZoneSales(fulfilment, zone, int(n), r) for fulfilment, zone, n, r in rows)
