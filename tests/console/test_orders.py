"""Orders: the paged list, new orders appearing by the poll, and changing a status with If-Match."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import msgspec
from pytestqt.qtbot import QtBot

from comandia.console.windows.orders import OrdersPage
from comandia.shared.client import ApiClient
from tests.console.conftest import LogIn, order_detail, seed_orders
from tests.plugins.api import World


def test_manager_moves_an_order_to_an_allowed_status(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    order = seed_orders(manager_a_client, world.tenant_a.id, 1)[0]
    with order_detail(log_in(world.manager_a), qtbot, order.id) as detail:
        assert set(detail.buttons) == {"confirmed", "cancelled"}
        assert detail.items.rowCount() == 1 and "Puebla" in detail.address.text()
        with qtbot.waitSignal(detail.changed, timeout=10_000):
            detail.buttons["confirmed"].click()
        assert manager_a_client.orders.get(world.tenant_a.id, order.id).status == "confirmed"
        assert set(detail.buttons) == {"shipped", "cancelled"}
        assert detail.order is not None and detail.order.history[-1].to_status == "confirmed"


def test_a_stale_order_is_refused_and_reloaded(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    order = seed_orders(manager_a_client, world.tenant_a.id, 1)[0]
    with order_detail(log_in(world.manager_a), qtbot, order.id) as detail:
        manager_a_client.orders.change_status(world.tenant_a.id, order.id, "confirmed")  # someone else, meanwhile
        detail.buttons["cancelled"].click()
        qtbot.waitUntil(lambda: detail.order is not None and detail.order.status == "confirmed", timeout=10_000)
        assert "Someone changed it first" in detail.notice.text()
        assert manager_a_client.orders.get(world.tenant_a.id, order.id).status == "confirmed"


def test_new_orders_appear_without_restarting_and_pages_load_on_scroll(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    seed_orders(manager_a_client, world.tenant_a.id, 205)
    window = log_in(world.manager_a)
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() >= 200, timeout=10_000)
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 205, timeout=10_000)
    before = page.model.rowCount()
    fresh = seed_orders(manager_a_client, world.tenant_a.id, 2)
    page.check_new()  # what the 10-second timer does
    qtbot.waitUntil(lambda: page.model.rowCount() == before + 2, timeout=10_000)
    assert {o.id for o in page.model.records()[:2]} == {o.id for o in fresh}
    assert page.poll.isActive() and page.poll.interval() == 10_000
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_status_filter_shows_only_that_status(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    order = seed_orders(manager_a_client, world.tenant_a.id, 1)[0]
    manager_a_client.orders.change_status(world.tenant_a.id, order.id, "cancelled", reason="test")
    window = log_in(world.manager_a)
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    page.status.setCurrentIndex(page.status.findData("cancelled"))
    qtbot.waitUntil(lambda: any(o.id == order.id for o in page.model.records()), timeout=10_000)
    assert {o.status for o in page.model.records()} == {"cancelled"}
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_the_date_filter_ends_on_the_tenants_today_not_the_computers(log_in: LogIn, world: World, qtbot: QtBot) -> None:
    """At 22:55 in Mexico City it is already tomorrow in UTC: "To" is the tenant's day. Two zones
    14 and 11 hours from UTC: whatever the hour, at least one of them is not on UTC's day."""
    window = log_in(world.manager_a)
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    tenant = window.ctx.tenant
    assert tenant is not None
    shown = []
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        window.ctx.tenant = msgspec.structs.replace(tenant, timezone=zone)
        page.reload()
        today = dt.datetime.now(ZoneInfo(zone)).date()
        assert page.last_day.date().toPython() == today
        assert page.first_day.date().toPython() == today - dt.timedelta(days=30)
        shown.append(today)
    assert dt.datetime.now(dt.UTC).date() != shown[0] or dt.datetime.now(dt.UTC).date() != shown[1]
    page.use_dates.setChecked(True)  # the manager filters by dates: a tenant's zone does not move them
    window.ctx.tenant = tenant
    page.reload()
    assert page.last_day.date().toPython() == shown[1]
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
