"""A tenant's KPI dashboard, read from the rollups only (never from the raw orders).

What counts as a sale and on which day is defined once in docs/kpis.md: an order that is not
cancelled counts on the tenant-local day of its `created_at`; "orders by status" counts every
order created in the range under its current status. Each KPI comes with the previous range of
the same length, so the dashboard can show the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.control_models import Tenant
from comandia.server.db.sessions import Databases
from comandia.server.services import rollups
from comandia.server.services.admin_kpis import AdminKpiService
from comandia.server.services.kpi_ranges import month_split, next_bucket
from comandia.shared.domain.errors import NotFound, ValidationFailed
from comandia.shared.schemas.kpis import (
    GRANULARITIES,
    CustomerSales,
    KpiPeriod,
    KpiReport,
    PlaceSales,
    ProductSales,
    SeriesPoint,
    StatusCount,
)

MAX_RANGE_DAYS = 3 * 366
TOP = 10
TOP_PLACES = 20
_ZERO = Decimal("0.00")


class KpiService:
    """Tenant dashboards and the rollups behind them.

    Args:
        databases: the appliance's databases.
        admin: refreshes the control database's per-tenant summary after order changes.
    """

    def __init__(self, databases: Databases, admin: AdminKpiService | None = None) -> None:
        self._db = databases
        self.zones = rollups.TenantZones(databases)
        self.admin = admin or AdminKpiService(databases)

    def on_change_hook(self) -> rollups.Rollups:
        """The `on_change` to give OrderService: rollups in-transaction, summary after commit."""
        return rollups.Rollups(self.zones, self.admin.refresh_summary)

    def tenant_report(
        self, tenant_id: str, from_day: dt.date, to_day: dt.date, granularity: str = "day"
    ) -> KpiReport:
        """Every KPI of `from_day`..`to_day` (both included) and of the range just before it.

        Raises:
            ValidationFailed: `from_day` after `to_day`, a range over MAX_RANGE_DAYS, or an
                unknown granularity (fields ``from``, ``granularity``).
            NotFound: no such tenant.
        """
        check_range(from_day, to_day)
        if granularity not in GRANULARITIES:
            raise ValidationFailed("unknown granularity", {"granularity": "must be day, week or month"})
        timezone, currency = self.tenant_settings(tenant_id)
        length = (to_day - from_day).days + 1
        before_to = from_day - dt.timedelta(days=1)
        before_from = before_to - dt.timedelta(days=length - 1)
        with self._db.tenant_session(tenant_id) as session:
            current = period(session, from_day, to_day, granularity)
            previous = period(session, before_from, before_to, granularity)
        return KpiReport(tenant_id, currency, timezone, granularity, current, previous)

    def rebuild(self, tenant_id: str) -> None:
        """Recompute the tenant's rollups from its raw tables, then its control-DB summary."""
        timezone, _ = self.tenant_settings(tenant_id)
        with self._db.tenant_session(tenant_id) as session:
            rollups.rebuild(session, timezone)
            session.commit()
        self.admin.rebuild_summary(tenant_id)

    def tenant_settings(self, tenant_id: str) -> tuple[str, str]:
        """(time zone, currency) of a live tenant. Raises: NotFound."""
        with self._db.control_session() as session:
            row = session.execute(
                sa.select(Tenant.timezone, Tenant.currency).where(
                    Tenant.id == tenant_id, Tenant.state != "deleted"
                )
            ).first()
        if row is None:
            raise NotFound(f"tenant {tenant_id} does not exist")
        return row[0], row[1]


def check_range(from_day: dt.date, to_day: dt.date) -> None:
    """Raises: ValidationFailed when the range is reversed or longer than MAX_RANGE_DAYS."""
    if from_day > to_day:
        raise ValidationFailed("the range ends before it starts", {"from": "must not be after `to`"})
    if (to_day - from_day).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(
            "the range is too long", {"from": f"ranges span at most {MAX_RANGE_DAYS} days"}
        )


def period(session: Session, from_day: dt.date, to_day: dt.date, granularity: str) -> KpiPeriod:
    """Every KPI of one range, from the rollups of the session's tenant."""
    span = month_split(from_day, to_day)
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
    top_customers, active = _top_customers(session, span)
    new = int(
        session.scalar(
            sa.text("SELECT count(*) FROM kpi_customer_first WHERE first_day BETWEEN :f AND :t"), span
        )
        or 0
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
        top_products=tuple(
            ProductSales(sku, name, int(q), r)
            for sku, name, q, r in session.execute(
                sa.text(
                    "SELECT sku, max(name), sum(quantity) AS q, sum(revenue) AS r "
                    f"FROM {_ranged('products')} "
                    "GROUP BY sku HAVING sum(quantity) > 0 ORDER BY r DESC, q DESC, sku LIMIT :n"
                ),
                {**span, "n": TOP},
            )
        ),
        top_customers=top_customers,
        by_city=_places(
            session, span, "city, region", lambda row: PlaceSales(row[0], row[1], row[2], row[3])
        ),
        by_region=_places(session, span, "region", lambda row: PlaceSales(None, row[0], row[1], row[2])),
    )


def _series(
    session: Session, from_day: dt.date, to_day: dt.date, granularity: str
) -> tuple[SeriesPoint, ...]:
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


def _ranged(noun: str) -> str:
    """A FROM item with the rows of kpi_{daily,monthly}_<noun> that make up the range exactly."""
    return (
        f"(SELECT * FROM kpi_daily_{noun} WHERE day >= :f AND day < :d1 UNION ALL "
        f"SELECT * FROM kpi_monthly_{noun} WHERE day >= :mf AND day < :mt UNION ALL "
        f"SELECT * FROM kpi_daily_{noun} WHERE day >= :d3 AND day <= :t) AS ranged"
    )


def _top_customers(session: Session, span: dict[str, Any]) -> tuple[tuple[CustomerSales, ...], int]:
    """(the best customers of the range, how many customers bought in it) in one pass."""
    rows = session.execute(
        sa.text(
            "WITH active AS (SELECT customer_id, sum(orders) AS orders, sum(revenue) AS revenue "
            f"FROM {_ranged('customers')} GROUP BY customer_id HAVING sum(orders) > 0), "
            "top AS (SELECT *, count(*) OVER () AS active FROM active ORDER BY revenue DESC, orders DESC, "
            "customer_id LIMIT :n) "
            "SELECT t.customer_id, c.name, t.orders, t.revenue, t.active FROM top t "
            "LEFT JOIN customers c ON c.id = t.customer_id "
            "ORDER BY t.revenue DESC, t.orders DESC, t.customer_id"
        ),
        {**span, "n": TOP},
    ).all()
    top = tuple(CustomerSales(int(cid), name, int(n), r) for cid, name, n, r, _ in rows)
    return top, int(rows[0][4]) if rows else 0


def _places(
    session: Session, span: dict[str, Any], columns: str, build: Callable[[Any], PlaceSales]
) -> tuple[PlaceSales, ...]:
    rows = session.execute(
        sa.text(
            f"SELECT {columns}, sum(orders) AS n, sum(revenue) AS r FROM {_ranged('places')} "
            f"GROUP BY {columns} HAVING sum(orders) > 0 "
            f"ORDER BY r DESC, n DESC, {columns} LIMIT :n"
        ),
        {**span, "n": TOP_PLACES},
    )
    return tuple(build(row) for row in rows)
