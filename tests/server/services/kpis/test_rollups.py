"""Rollups stay equal to a recomputation from the raw tables, whatever happens to the orders."""

# SQL text is kept one statement part per line, which reads better than wrapping at 110.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comandia.server.services.kpis.reports import KpiService
from comandia.server.services.kpis.rollups import Rollups
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import DomainError
from comandia.shared.schemas.orders import OrderEdit, OrderLineInput
from tests.plugins.tenants import MakeTenant
from tests.server.services.kpis.kpi_shop import SKUS, Shop

ZONE = "America/Santiago"  # clocks change at local midnight: the hardest days to get right
# (in pesos with cents: Chilean pesos, the zone's own default, have none and the prices do)

# Plain SQL over raw orders, written apart from the service (UTC instants to local dates with
# timezone(), not AT TIME ZONE): what every rollup table must hold, zero rows left out.
RECOMPUTE = {
    "kpi_daily_sales": "SELECT timezone(:tz, created_at)::date, status, count(*), sum(total) FROM orders GROUP BY 1, 2",
    "kpi_daily_products": (
        "SELECT timezone(:tz, o.created_at)::date, i.sku, sum(i.quantity), sum(i.line_total) FROM order_items i "
        "JOIN orders o ON o.id = i.order_id WHERE o.status != 'cancelled' GROUP BY 1, 2"
    ),
    "kpi_daily_customers": "SELECT timezone(:tz, created_at)::date, customer_id, count(*), sum(total) "
    "FROM orders WHERE status != 'cancelled' GROUP BY 1, 2",
    "kpi_monthly_customers": "SELECT date_trunc('month', timezone(:tz, created_at))::date, customer_id, count(*), "
    "sum(total) FROM orders WHERE status != 'cancelled' GROUP BY 1, 2",
    "kpi_yearly_customers": "SELECT date_trunc('year', timezone(:tz, created_at))::date, customer_id, count(*), "
    "sum(total) FROM orders WHERE status != 'cancelled' GROUP BY 1, 2",
    "kpi_daily_places": "SELECT timezone(:tz, created_at)::date, coalesce(delivery_city, ''), "
    "coalesce(delivery_region, ''), count(*), sum(total) FROM orders WHERE status != 'cancelled' GROUP BY 1, 2, 3",
    "kpi_monthly_products": (
        "SELECT date_trunc('month', timezone(:tz, o.created_at))::date, i.sku, sum(i.quantity), sum(i.line_total) "
        "FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status != 'cancelled' GROUP BY 1, 2"
    ),
    "kpi_monthly_places": "SELECT date_trunc('month', timezone(:tz, created_at))::date, coalesce(delivery_city, ''), "
    "coalesce(delivery_region, ''), count(*), sum(total) FROM orders WHERE status != 'cancelled' GROUP BY 1, 2, 3",
    "kpi_daily_zones": "SELECT timezone(:tz, created_at)::date, fulfilment, coalesce(delivery_zone, ''), count(*), "
    "sum(total) FROM orders WHERE status != 'cancelled' GROUP BY 1, 2, 3",
    "kpi_monthly_zones": "SELECT date_trunc('month', timezone(:tz, created_at))::date, fulfilment, "
    "coalesce(delivery_zone, ''), count(*), sum(total) FROM orders WHERE status != 'cancelled' GROUP BY 1, 2, 3",
    "kpi_customer_first": "SELECT customer_id, min(timezone(:tz, created_at)::date) FROM orders "
    "WHERE status != 'cancelled' GROUP BY 1",
}
STORED = {
    "kpi_daily_sales": "SELECT day, status, orders, revenue FROM kpi_daily_sales WHERE orders <> 0",
    "kpi_daily_products": "SELECT day, sku, quantity, revenue FROM kpi_daily_products WHERE quantity <> 0",
    "kpi_daily_customers": "SELECT day, customer_id, orders, revenue FROM kpi_daily_customers WHERE orders <> 0",
    "kpi_monthly_customers": "SELECT day, customer_id, orders, revenue FROM kpi_monthly_customers WHERE orders <> 0",
    "kpi_yearly_customers": "SELECT day, customer_id, orders, revenue FROM kpi_yearly_customers WHERE orders <> 0",
    "kpi_daily_places": "SELECT day, city, region, orders, revenue FROM kpi_daily_places WHERE orders <> 0",
    "kpi_monthly_products": "SELECT day, sku, quantity, revenue FROM kpi_monthly_products WHERE quantity <> 0",
    "kpi_monthly_places": "SELECT day, city, region, orders, revenue FROM kpi_monthly_places WHERE orders <> 0",
    "kpi_daily_zones": "SELECT day, fulfilment, zone, orders, revenue FROM kpi_daily_zones WHERE orders <> 0",
    "kpi_monthly_zones": "SELECT day, fulfilment, zone, orders, revenue FROM kpi_monthly_zones WHERE orders <> 0",
    "kpi_customer_first": "SELECT customer_id, first_day FROM kpi_customer_first",
}


def snapshot(runtime: Runtime, tenant_id: str, queries: dict[str, str]) -> dict[str, set[tuple[Any, ...]]]:
    with runtime.databases.tenant_session(tenant_id) as session:
        return {name: set(map(tuple, session.execute(sa.text(q), {"tz": ZONE}).all())) for name, q in queries.items()}


_SHOPS: dict[int, tuple[Shop, KpiService]] = {}


def shared_shop(runtime: Runtime, make_tenant: MakeTenant) -> tuple[Shop, KpiService]:
    if id(runtime) not in _SHOPS:
        kpis = runtime.services.kpis
        _SHOPS[id(runtime)] = (Shop(runtime, make_tenant(timezone=ZONE, currency="MXN").id), kpis)
    return _SHOPS[id(runtime)]


lines = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4)), min_size=1, max_size=3, unique_by=lambda x: x[0])
# Instants around Santiago's 2026 DST changes and plain days, to the minute.
instants = st.builds(
    lambda base, minutes: base + dt.timedelta(minutes=minutes),
    st.sampled_from(
        [
            dt.datetime(2026, 4, 4, 23, tzinfo=dt.UTC),
            dt.datetime(2026, 9, 6, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 31, 23, tzinfo=dt.UTC),
        ]
    ),
    st.integers(0, 8 * 60),
)
steps = st.one_of(
    st.tuples(st.just("create"), instants, st.integers(0, 3), lines),
    st.tuples(st.just("edit"), st.integers(0, 20), lines, st.sampled_from(["Lima", "", "Quito"])),
    st.tuples(
        st.just("status"),
        st.integers(0, 20),
        st.sampled_from(["confirmed", "shipped", "completed", "cancelled"]),
    ),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(steps, min_size=1, max_size=8))
def test_rollups_equal_a_recomputation_after_random_order_streams(
    runtime: Runtime, make_tenant: MakeTenant, stream: list[tuple[Any, ...]]
) -> None:
    shop, _ = shared_shop(runtime, make_tenant)
    created = []
    for step in stream:
        try:
            if step[0] == "create":
                created.append(shop.order(step[1], customer=step[2], lines=step[3]))
            elif created and step[0] == "edit":
                target = created[step[1] % len(created)]
                edit = OrderEdit(items=tuple(OrderLineInput(q, sku=s) for s, q in step[2]), delivery_city=step[3])
                shop.orders.edit(shop.tenant_id, target.id, edit, "tests")
            elif created:
                target = created[step[1] % len(created)]
                shop.orders.change_status(shop.tenant_id, target.id, step[2], "tests", reason="x")
        except DomainError:
            pass  # refused changes (edit of a confirmed order, a bad transition) must change nothing
    assert snapshot(runtime, shop.tenant_id, STORED) == snapshot(runtime, shop.tenant_id, RECOMPUTE)


def test_rebuild_recomputes_rollups_and_summary(runtime: Runtime, make_tenant: MakeTenant) -> None:
    kpis = runtime.services.kpis
    shop = Shop(runtime, make_tenant(timezone=ZONE, currency="MXN").id)
    first = shop.order(dt.datetime(2026, 5, 2, 3, 30, tzinfo=dt.UTC), lines=(("TACO", 2),))
    shop.order(dt.datetime(2026, 5, 2, 4, 30, tzinfo=dt.UTC), customer=1)
    shop.cancel(first)
    with runtime.databases.tenant_session(shop.tenant_id) as session:
        session.execute(sa.text("UPDATE kpi_daily_sales SET orders = orders + 7"))
        session.execute(sa.text("DELETE FROM kpi_daily_products"))
        session.commit()
    assert snapshot(runtime, shop.tenant_id, STORED) != snapshot(runtime, shop.tenant_id, RECOMPUTE)
    kpis.rebuild(shop.tenant_id)
    assert snapshot(runtime, shop.tenant_id, STORED) == snapshot(runtime, shop.tenant_id, RECOMPUTE)
    with runtime.databases.control_session() as session:
        rows = session.execute(
            sa.text(
                "SELECT day, orders, cancelled, revenue, customers FROM tenant_daily WHERE tenant_id = :t AND "
                "orders + cancelled > 0 ORDER BY day"
            ),
            {"t": shop.tenant_id},
        ).all()
    # Santiago is at UTC-4 in May: 03:30 UTC is 23:30 of the 1st, 04:30 UTC is 00:30 of the 2nd.
    assert [tuple(r) for r in rows] == [
        (dt.date(2026, 5, 1), 0, 1, Decimal("0"), 0),
        (dt.date(2026, 5, 2), 1, 0, first.total / 2, 1),
    ]


def test_a_test_chats_order_counts_in_no_rollup_live_or_rebuilt(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop = Shop(runtime, make_tenant(timezone=ZONE, currency="MXN").id)
    shop.order(dt.datetime(2026, 5, 2, 18, tzinfo=dt.UTC))
    counted = snapshot(runtime, shop.tenant_id, STORED)
    test = shop.order(dt.datetime(2026, 5, 2, 19, tzinfo=dt.UTC), customer=1, lines=(("FLAN", 3),), channel="sandbox")
    shop.move(test, "confirmed")
    assert snapshot(runtime, shop.tenant_id, STORED) == counted
    runtime.services.kpis.rebuild(shop.tenant_id)
    assert snapshot(runtime, shop.tenant_id, STORED) == counted
    shop.cancel(test)  # taking it away again subtracts nothing either
    assert snapshot(runtime, shop.tenant_id, STORED) == counted


def test_a_failed_order_change_leaves_rollups_untouched(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop = Shop(runtime, make_tenant().id)
    order = shop.order(dt.datetime(2026, 5, 2, 18, tzinfo=dt.UTC))
    before = snapshot(runtime, shop.tenant_id, STORED)
    with pytest.raises(DomainError):
        shop.orders.edit(shop.tenant_id, order.id, OrderEdit(items=(OrderLineInput(1, sku="NOPE"),)), "tests")
    assert snapshot(runtime, shop.tenant_id, STORED) == before


def test_summary_refresh_failure_does_not_fail_the_order(runtime: Runtime, make_tenant: MakeTenant) -> None:
    kpis = runtime.services.kpis
    shop = Shop(runtime, make_tenant().id)

    def broken(tenant_id: str, days: set[dt.date]) -> None:
        raise RuntimeError("control database gone")

    shop.orders._on_change = Rollups(kpis.zone, broken)
    with pytest.raises(RuntimeError):
        broken("", set())
    order = shop.order(dt.datetime(2026, 5, 2, 18, tzinfo=dt.UTC))
    assert shop.orders.get(shop.tenant_id, order.id).status == "new"
