"""The superadmin's summary follows order changes: at once without the refresher, coalesced about
once a second while the server's refresher runs, and flushed when it stops."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable

from comandia.server.jobs.summaries import SummaryRefresher
from comandia.server.services.kpis.reports import SUMMARY_CATCH_UP_LOCK
from comandia.server.services.kpis.summaries import PendingSummaries
from comandia.server.wiring import Collaborators, Runtime
from comandia.shared.domain.errors import Unavailable
from comandia.shared.schemas.tenants import TenantInfo
from tests.server.services.kpis.kpi_shop import Shop
from tests.waiting import eventually

D = dt.date
AT = dt.datetime(2026, 4, 2, 18, 0, tzinfo=dt.UTC)


def test_without_a_refresher_each_change_is_copied_at_once() -> None:
    copied: list[tuple[str, set[D]]] = []
    pending = PendingSummaries(lambda tenant, days: copied.append((tenant, set(days))))
    pending.days_changed("t1", {D(2026, 4, 2)})
    assert copied == [("t1", {D(2026, 4, 2)})] and pending.flush() == 0


def test_while_a_refresher_runs_changes_are_coalesced_per_tenant_and_a_failure_stays_pending() -> None:
    copied: list[tuple[str, set[D]]] = []
    away = {"t2"}

    def refresh(tenant: str, days: Iterable[D]) -> None:
        if tenant in away:
            raise Unavailable("tenant t2's database is not reachable")
        copied.append((tenant, set(days)))

    pending = PendingSummaries(refresh)
    pending.defer(True)
    for n in range(500):  # a burst of orders on two days of t1, and some for t2
        pending.days_changed("t1", {D(2026, 4, 1 + n % 2)})
        pending.days_changed("t2", {D(2026, 4, 3)})
    assert copied == []
    assert pending.flush() == 2
    assert copied == [("t1", {D(2026, 4, 1), D(2026, 4, 2)})]  # one copy for 500 changes
    away.clear()
    assert pending.flush() == 1 and copied[-1] == ("t2", {D(2026, 4, 3)})  # kept, then copied


def summary_orders(runtime: Runtime, tenant_id: str) -> int:
    rows = runtime.services.kpis.admin.report(D(2026, 4, 2), D(2026, 4, 2)).tenants
    return next(row.orders for row in rows if row.tenant_id == tenant_id)


def test_with_the_servers_refresher_orders_reach_the_summary_within_seconds(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    shop = Shop(runtime, make_tenant().id)
    services = runtime.rewired(Collaborators(clock=shop.clock))
    shop.orders = services.orders
    refresher = SummaryRefresher(services.summaries, catch_up=lambda: None, every_seconds=0.2)
    refresher.start()
    try:
        for _ in range(5):
            shop.order(AT)
        assert eventually(lambda: summary_orders(runtime, shop.tenant_id) == 5, 10.0)
        shop.order(AT)
    finally:
        refresher.stop()
    assert summary_orders(runtime, shop.tenant_id) == 6  # flushed on stop
    shop.order(AT)  # no refresher: copied at once again
    assert summary_orders(runtime, shop.tenant_id) == 7


def test_asks_for_a_catch_up_made_together_make_one_more_catch_up() -> None:
    pending = PendingSummaries(lambda tenant, days: None)
    runs: list[float] = []
    pending.ask_catch_up()  # asked before the start: the start's own catch-up covers it
    refresher = SummaryRefresher(pending, catch_up=lambda: runs.append(time.monotonic()), every_seconds=0.05)
    refresher.start()
    try:
        assert eventually(lambda: len(runs) == 1, 5.0)
        time.sleep(0.2)
        assert len(runs) == 1
        for _ in range(5):  # five request processes started at once
            pending.ask_catch_up()
        assert eventually(lambda: len(runs) == 2, 5.0)
        time.sleep(0.2)
        assert len(runs) == 2
    finally:
        refresher.stop()


def test_the_catch_up_runs_in_one_process_at_a_time(runtime: Runtime) -> None:
    with runtime.databases.control_lock(SUMMARY_CATCH_UP_LOCK) as held:  # another process is catching up
        assert held
        assert runtime.services.kpis.catch_up_summaries([]) is False
    assert runtime.services.kpis.catch_up_summaries([]) is True
