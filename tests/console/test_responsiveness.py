"""No GUI-thread handler runs longer than 50 ms in a typical session (a QTimer watchdog measures it)."""

from __future__ import annotations

import time

import pytest
from pytestqt.qtbot import QtBot

from comandia.console.app import ConsoleApp
from comandia.console.watchdog import StallWatchdog
from comandia.console.windows.orders import OrdersPage
from comandia.shared.client import ApiClient
from tests.console.conftest import LogIn, seed_orders
from tests.plugins.api import World

LIMIT_MS = 50.0


def test_a_typical_session_never_blocks_the_gui_thread(
    console: ConsoleApp, log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient,
    record_property: pytest.RecordProperty, capsys: pytest.CaptureFixture[str],
) -> None:
    seed_orders(manager_a_client, world.tenant_a.id, 450)
    watchdog = StallWatchdog(interval_ms=5)
    watchdog.start()
    started = time.perf_counter()
    window = log_in(world.manager_a)
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    first_page_s = time.perf_counter() - started
    for _ in range(3):  # scroll through three pages of 200
        rows = page.model.rowCount()
        page.table.scrollToBottom()
        qtbot.waitUntil(lambda rows=rows: page.model.rowCount() > rows or page.model.canFetchMore() is False,
                        timeout=10_000)
    detail = page.open_detail(0)
    assert detail is not None
    qtbot.waitUntil(lambda: detail.order is not None, timeout=10_000)
    for key in ("customers", "catalog", "orders"):
        window.open_page(key)
        qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
    page.check_new()
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
    qtbot.wait(50)
    watchdog.stop()
    detail.close()
    record_property("gui_max_stall_ms", round(watchdog.max_stall_ms, 1))
    record_property("first_page_with_data_s", round(first_page_s, 3))
    with capsys.disabled():
        print(f"\nGUI thread: longest stall {watchdog.max_stall_ms:.1f} ms over {watchdog.ticks} ticks; "
              f"login to first order page with data {first_page_s:.3f} s")
    assert watchdog.ticks > 50
    assert watchdog.max_stall_ms < LIMIT_MS
