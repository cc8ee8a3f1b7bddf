"""`comandia-admin demo` gives a newcomer living dashboards."""

from __future__ import annotations

import datetime as dt

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
