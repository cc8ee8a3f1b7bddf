"""Every KPI of the tenant dashboard equals a plain-SQL computation over the raw orders."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from comandia.server.services.kpis.admin_reports import AdminKpiService
from comandia.server.services.kpis.ranges import GRAIN_DAYS, cover
from comandia.server.services.kpis.reports import KpiService
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import NotFound, ValidationFailed
from comandia.shared.domain.times import local_day_bounds
from comandia.shared.schemas.kpis import (
    AdminReport,
    CustomerSales,
    KpiPeriod,
    KpiReport,
    PlaceSales,
    ProductSales,
    SeriesPoint,
    StatusCount,
    ZoneSales,
)
from tests.plugins.tenants import MakeTenant
from tests.server.services.kpis.kpi_shop import Shop

ZONE = "America/Mexico_City"  # UTC-6 all year
D = dt.date


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    """A local Mexico City time in 2026 as a UTC instant."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=-6)))


def seeded(runtime: Runtime, make_tenant: MakeTenant) -> tuple[Shop, KpiService]:
    kpis = runtime.services.kpis
    shop = Shop(runtime, make_tenant(timezone=ZONE).id)
    shop.order(at(1, 10), 0, (("TACO", 2), ("REF", 1)), fee="15")  # before the range: Ana returns
    shop.order(at(9, 23, 59), 1, (("FLAN", 3),))  # last minute before the range
    shop.order(at(10, 0, 0), 0, (("TACO", 1),), zone="Roma")  # first minute of the range
    shop.move(shop.order(at(12, 13), 2, (("REF", 4),), city="Toluca", zone="Centro"), "confirmed")
    shop.cancel(shop.order(at(14, 9), 3, (("TACO", 9),), zone="Roma"))  # cancelled: never a sale
    shop.order(at(16, 18), 3, (("FLAN", 1), ("TACO", 1)), fulfilment="pickup")
    shop.order(at(16, 23, 59), 1, (("REF", 1),))  # last minute of the range
    shop.order(at(17, 0, 0), 2, (("TACO", 5),))  # just after the range
    return shop, kpis


def expected(runtime: Runtime, tenant_id: str, f: D, t: D, granularity: str) -> KpiPeriod:
    """The same KPIs from orders and order_items only, with UTC bounds of the local days."""
    start, _ = local_day_bounds(f, ZONE)
    _, end = local_day_bounds(t, ZONE)
    span = {"s": start, "e": end, "tz": ZONE, "g": granularity}
    sale = "o.status <> 'cancelled' AND o.created_at >= :s AND o.created_at < :e"
    with runtime.databases.tenant_session(tenant_id) as db:

        def rows(sql: str) -> list[sa.Row[tuple[object, ...]]]:
            return list(db.execute(sa.text(sql), span).all())

        n, revenue = rows(f"SELECT count(*), coalesce(sum(o.total), 0) FROM orders o WHERE {sale}")[0]
        statuses = rows(
            "SELECT status, count(*), sum(total) FROM orders WHERE created_at >= :s AND "
            "created_at < :e GROUP BY status ORDER BY status"
        )
        series = dict(
            rows(
                f"SELECT date_trunc(:g, o.created_at AT TIME ZONE :tz)::date, count(*) || '|' || "
                f"sum(o.total) FROM orders o WHERE {sale} GROUP BY 1"
            )
        )
        products = rows(
            "SELECT i.sku, max(i.name), sum(i.quantity) q, sum(i.line_total) r FROM order_items i "
            f"JOIN orders o ON o.id = i.order_id WHERE {sale} GROUP BY i.sku ORDER BY r DESC, q DESC, "
            "i.sku LIMIT 10"
        )
        customers = rows(
            "SELECT o.customer_id, c.name, count(*) n, sum(o.total) r FROM orders o JOIN customers c "
            f"ON c.id = o.customer_id WHERE {sale} GROUP BY 1, 2 ORDER BY r DESC, n DESC, 1 LIMIT 10"
        )
        cities = rows(
            "SELECT coalesce(delivery_city, '') c, coalesce(delivery_region, '') g, count(*) n, "
            f"sum(total) r FROM orders o WHERE {sale} GROUP BY 1, 2 ORDER BY r DESC, n DESC, c, g"
        )
        regions = rows(
            "SELECT coalesce(delivery_region, '') g, count(*) n, sum(total) r FROM orders o "
            f"WHERE {sale} GROUP BY 1 ORDER BY r DESC, n DESC, g"
        )
        zones = rows(
            "SELECT fulfilment f, coalesce(delivery_zone, '') z, count(*) n, sum(total) r FROM orders o "
            f"WHERE {sale} GROUP BY 1, 2 ORDER BY r DESC, n DESC, f, z"
        )
        returning = rows(
            f"SELECT count(DISTINCT o.customer_id), count(DISTINCT o.customer_id) FILTER (WHERE "
            "EXISTS (SELECT 1 FROM orders p WHERE p.customer_id = o.customer_id AND "
            f"p.status <> 'cancelled' AND p.created_at < :s)) FROM orders o WHERE {sale}"
        )[0]
    points = []
    day = f
    while day <= t:
        bucket = {"day": day, "week": day - dt.timedelta(days=day.weekday()), "month": day.replace(day=1)}
        key = bucket[granularity]
        if max(key, f) == day:
            count, _, total = str(series.get(key, "0|0.00")).partition("|")
            points.append(SeriesPoint(day, int(count), Decimal(total)))
        day += dt.timedelta(days=1)
    return KpiPeriod(
        f,
        t,
        n,
        Decimal(revenue),
        (revenue / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else Decimal("0.00"),
        returning[0] - returning[1],
        returning[1],
        tuple(points),
        tuple(StatusCount(s, c, r) for s, c, r in statuses),
        tuple(ProductSales(s, nm, q, r) for s, nm, q, r in products),
        tuple(CustomerSales(i, nm, c, r) for i, nm, c, r in customers),
        tuple(PlaceSales(c, g, k, r) for c, g, k, r in cities[:20]),
        tuple(PlaceSales(None, g, k, r) for g, k, r in regions[:20]),
        tuple(ZoneSales(f, z, k, r) for f, z, k, r in zones),
    )


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_every_kpi_matches_plain_sql_over_raw_orders(
    runtime: Runtime, make_tenant: MakeTenant, granularity: str
) -> None:
    shop, kpis = seeded(runtime, make_tenant)
    ranges = [
        (D(2026, 3, 10), D(2026, 3, 16)),
        (D(2026, 3, 1), D(2026, 3, 31)),
        (D(2026, 2, 20), D(2026, 4, 5)),
        (D(2026, 3, 9), D(2026, 3, 9)),
        (D(2026, 6, 1), D(2026, 6, 30)),
        (D(2026, 3, 2), D(2026, 3, 31)),  # March minus its 1st
        (D(2026, 3, 5), D(2026, 3, 16)),  # inside one month
        (D(2026, 2, 1), D(2026, 11, 30)),  # the year minus January and December
        (D(2025, 12, 31), D(2026, 12, 31)),  # a day and a whole year
    ]
    for f, t in ranges:
        report = kpis.tenant_report(shop.tenant_id, f, t, granularity)
        length = (t - f).days + 1
        assert report.current == expected(runtime, shop.tenant_id, f, t, granularity)
        previous = (f - dt.timedelta(days=length), f - dt.timedelta(days=1))
        assert report.previous == expected(runtime, shop.tenant_id, *previous, granularity)
        assert KpiReport.from_json(report.to_json()) == report


def test_range_edges_cancellations_and_new_versus_returning(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, kpis = seeded(runtime, make_tenant)
    week = kpis.tenant_report(shop.tenant_id, D(2026, 3, 10), D(2026, 3, 16)).current
    # 10th 00:00 .. 16th 23:59 local: four sales (the cancelled one and the 9th/17th ones out).
    assert (week.orders, week.revenue) == (
        4,
        Decimal("25.00") + Decimal("90.00") + Decimal("32.25") + Decimal("22.50"),
    )
    assert week.average_ticket == Decimal("42.44")
    assert {s.status: s.orders for s in week.by_status} == {"new": 3, "confirmed": 1, "cancelled": 1}
    assert (week.new_customers, week.returning_customers) == (2, 2)  # Carla, Dani new; Ana, Beto returning
    assert week.by_city[0] == PlaceSales("Toluca", "CDMX", 1, Decimal("90.00"))
    assert [p.sku for p in week.top_products] == ["REF", "TACO", "FLAN"]
    assert week.top_customers[0].name == "Carla"
    assert week.by_zone == (  # the cancelled Roma order is no sale
        ZoneSales("delivery", "Centro", 1, Decimal("90.00")),
        ZoneSales("pickup", "", 1, Decimal("32.25")),
        ZoneSales("delivery", "Roma", 1, Decimal("25.00")),
        ZoneSales("delivery", "", 1, Decimal("22.50")),
    )


def test_empty_ranges_and_a_tenant_without_orders(runtime: Runtime, make_tenant: MakeTenant) -> None:
    kpis = runtime.services.kpis
    tenant = make_tenant()
    report = kpis.tenant_report(tenant.id, D(2026, 1, 1), D(2026, 1, 31), "week")
    for part in (report.current, report.previous):
        assert (part.orders, part.revenue, part.average_ticket) == (0, Decimal(0), Decimal("0.00"))
        assert part.top_products == part.top_customers == part.by_city == part.by_status == ()
        assert all(p.orders == 0 for p in part.series)
    assert [p.start for p in report.current.series] == [
        D(2026, 1, 1),
        D(2026, 1, 5),
        D(2026, 1, 12),
        D(2026, 1, 19),
        D(2026, 1, 26),
    ]
    assert report.previous.from_day == D(2025, 12, 1) and report.currency == "MXN"


def test_bad_ranges_and_unknown_tenants_are_refused(runtime: Runtime, make_tenant: MakeTenant) -> None:
    kpis = runtime.services.kpis
    tenant = make_tenant()
    with pytest.raises(ValidationFailed):
        kpis.tenant_report(tenant.id, D(2026, 2, 1), D(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        kpis.tenant_report(tenant.id, D(2020, 1, 1), D(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        kpis.tenant_report(tenant.id, D(2026, 1, 1), D(2026, 1, 2), "year")
    with pytest.raises(NotFound):
        kpis.tenant_report("T0000000000000", D(2026, 1, 1), D(2026, 1, 2))


def test_superadmin_report_reads_the_summary_kept_after_each_commit(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, kpis = seeded(runtime, make_tenant)
    idle = make_tenant()
    kpis.admin.rebuild_summary(idle.id)
    report = kpis.admin.report(D(2026, 3, 10), D(2026, 3, 16), sort="-revenue")
    rows = {row.tenant_id: row for row in report.tenants}
    busy = rows[shop.tenant_id]
    assert (busy.orders, busy.revenue, busy.active_customers) == (4, Decimal("169.75"), 4)
    assert busy.last_activity == D(2026, 3, 17) and busy.messages_in == busy.failed_sends == 0
    assert (rows[idle.id].orders, rows[idle.id].last_activity) == (0, None)
    assert rows[idle.id].db_bytes is not None and rows[idle.id].db_bytes > 0
    revenues = [r.revenue for r in report.tenants]
    assert revenues == sorted(revenues, reverse=True)
    by_name = kpis.admin.report(D(2026, 3, 10), D(2026, 3, 16), sort="name").tenants
    assert [r.name.lower() for r in by_name] == sorted(r.name.lower() for r in by_name)
    assert AdminReport.from_json(report.to_json()) == report
    with pytest.raises(ValidationFailed):
        kpis.admin.report(D(2026, 3, 10), D(2026, 3, 16), sort="password")


@given(
    st.dates(D(2023, 1, 1), D(2027, 12, 31)),
    st.integers(0, 3 * 366),
    st.sampled_from([("yearly", "monthly", "daily"), ("monthly", "daily"), ("daily",)]),
)
def test_signed_pieces_cover_each_day_of_the_range_exactly_once(start: D, length: int, grains: tuple[str, ...]) -> None:
    end = start + dt.timedelta(days=length)
    pieces = cover(start, end, grains)
    assert all(grain in grains and a < b for grain, a, b, _ in pieces)
    for grain, a, b, _ in pieces:  # pieces are whole buckets of their grain
        unit = GRAIN_DAYS[grain]
        assert unit == "day" or (a.day == 1 and b.day == 1 and (unit == "month" or a.month == b.month == 1))
    lo = min([start, *(a for _, a, _, _ in pieces)])
    hi = max([end, *(b for _, _, b, _ in pieces)])
    day = lo
    while day < hi:
        weight = sum(sign for _, a, b, sign in pieces if a <= day < b)
        assert weight == (1 if start <= day < end else 0), day
        day += dt.timedelta(days=1)


def test_the_superadmins_latest_days_end_on_each_tenants_own_today(runtime: Runtime, make_tenant: MakeTenant) -> None:
    """At 03:00 UTC on 17 March it is still the 16th at 21:00 in Mexico City and already noon on
    the 17th in Tokyo: "today" holds each one's own day, not UTC's."""
    mexico = Shop(runtime, make_tenant(timezone=ZONE).id)
    mexico.order(at(16, 20, 30), 0, (("TACO", 2),))  # tonight in Mexico: 02:30 UTC on the 17th
    mexico.order(at(15, 13), 0, (("TACO", 1),))  # yesterday there
    tokyo = Shop(runtime, make_tenant(timezone="Asia/Tokyo").id)
    noon = dt.datetime(2026, 3, 17, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))  # 02:30 UTC
    tokyo.order(noon, 0, (("REF", 3),))
    tokyo.order(noon - dt.timedelta(days=1), 0, (("REF", 1),))  # yesterday there
    night = dt.datetime(2026, 3, 17, 3, 0, tzinfo=dt.UTC)
    admin = AdminKpiService(runtime.databases, clock=lambda: night)
    today = admin.report_latest("today")
    rows = {row.tenant_id: row for row in today.tenants}
    assert (rows[mexico.tenant_id].orders, rows[tokyo.tenant_id].orders) == (1, 1)
    assert (rows[mexico.tenant_id].revenue, rows[tokyo.tenant_id].revenue) == (Decimal("50.00"), Decimal("67.50"))
    assert (today.from_day, today.to_day) == (D(2026, 3, 16), D(2026, 3, 17))
    week = {row.tenant_id: row.orders for row in admin.report_latest("7days").tenants}
    assert (week[mexico.tenant_id], week[tokyo.tenant_id]) == (2, 2)
    with pytest.raises(ValidationFailed):
        admin.report_latest("forever")
