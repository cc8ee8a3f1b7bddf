"""`comandia-admin demo` gives a newcomer living dashboards."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from comandia.server.services.demo import create_demo
from comandia.server.wiring import Collaborators, Runtime
from comandia.shared.schemas.orders import OrderQuery


def test_demo_tenants_have_orders_over_weeks_and_a_dashboard(runtime: Runtime) -> None:
    made = create_demo(lambda clock: runtime.rewired(Collaborators(clock=clock)), days=10, orders_per_day=3)
    assert len(made) == 2
    for demo in made:
        page = runtime.services.orders.list(demo.tenant_id, OrderQuery(limit=200))
        assert len(page.items) == demo.orders >= 10
        days = {o.created_at.date() for o in page.items}
        assert len(days) >= 5
        today = dt.date.today()
        report = runtime.services.kpis.tenant_report(demo.tenant_id, today - dt.timedelta(days=12), today)
        assert report.current.orders > 0
        assert any(u.username == demo.manager for u in runtime.users.list(demo.tenant_id))


def test_demo_orders_follow_a_restaurants_day_and_week(runtime: Runtime) -> None:
    """Lunch and dinner in the tenant's own zone, more on Fridays and Saturdays than on Mondays and
    Tuesdays, nothing in the future, and the newest orders still open (a living board)."""
    made = create_demo(lambda clock: runtime.rewired(Collaborators(clock=clock)), days=21, orders_per_day=5)
    for demo, zone in zip(made, ("America/Mexico_City", "America/Bogota"), strict=True):
        items = runtime.services.orders.list(demo.tenant_id, OrderQuery(limit=500)).items
        local = [o.created_at.astimezone(ZoneInfo(zone)) for o in items]
        assert all(11 <= t.hour <= 23 for t in local)
        meals = sum(1 for t in local if 12 <= t.hour < 16 or 18 <= t.hour < 23)
        assert meals > 0.8 * len(local)
        weekdays = Counter(t.weekday() for t in local)
        assert weekdays[4] + weekdays[5] > 1.4 * (weekdays[0] + weekdays[1])
        assert max(o.created_at for o in items) <= dt.datetime.now(dt.UTC)
        assert {o.status for o in items} >= {"completed", "cancelled"}
