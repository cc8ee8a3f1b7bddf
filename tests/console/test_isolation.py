"""The manager of tenant A never sees tenant B, even when the console is pointed at it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from comandia.console.windows.customers import CustomersPage
from comandia.console.windows.orders import OrdersPage
from comandia.shared.client import ApiClient
from tests.console.conftest import LogIn, seed_orders
from tests.plugins.api import World


def test_manager_of_a_sees_only_a(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient, manager_b_client: ApiClient
) -> None:
    seed_orders(manager_b_client, world.tenant_b.id, 1, tag="solo-b")
    seed_orders(manager_a_client, world.tenant_a.id, 1)
    window = log_in(world.manager_a)
    assert window.tenant_box.count() == 1 and window.tenant_box.itemData(0) == world.tenant_a.id
    assert [t.id for t in window.ctx.tenants] == [world.tenant_a.id]
    assert not {"tenants", "provision", "users", "onboarding", "admin_kpis"} & set(window.page_keys)
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    assert all(o.customer_name != "Cliente solo-b" for o in page.model.records())

    window.ctx.tenant = world.tenant_b  # as if someone forced the console onto tenant B
    customers = window.open_page("customers")
    assert isinstance(customers, CustomersPage)
    customers.reload()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert window.banner.text.text().startswith("Not found.")
    assert customers.model.rowCount() == 0
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
