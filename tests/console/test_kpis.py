"""The KPI pages: charts when the server offers /kpis, a clear note when it does not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from comandia.console.app import ConsoleApp
from comandia.console.charts.figures import all_figures
from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.console.windows.admin_kpis import AdminKpisPage
from comandia.console.windows.date_range import DateRangePicker, preset_range
from comandia.console.windows.kpi_cards import change_text
from comandia.console.windows.kpis import Dashboard, KpisPage
from comandia.shared.client import ApiClient
from comandia.shared.client.capabilities import ADMIN_KPIS, TENANT_KPIS
from tests.console.conftest import LogIn, seed_orders
from tests.console.kpi_data import sample_admin_report, sample_report
from tests.plugins.api import World


def test_tenant_dashboard_shows_every_chart_or_says_it_is_not_offered(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    seed_orders(manager_a_client, world.tenant_a.id, 3)
    window = log_in(world.manager_a)
    page = window.open_page("kpis")
    assert isinstance(page, KpisPage)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=20_000)
    if not window.ctx.connection.offers(TENANT_KPIS):
        assert page.notice.text() == "This server does not offer this feature yet."
        assert not page.tabs.isEnabled()
        return
    qtbot.waitUntil(lambda: page.dashboard is not None, timeout=20_000)
    assert all(view.canvas is not None for view in page.views.values())
    assert page.dashboard is not None and page.dashboard.report.current.orders >= 3


def test_admin_dashboard_table_sorts_by_revenue(log_in: LogIn, world: World, qtbot: QtBot) -> None:
    window = log_in(world.superadmin)
    page = window.open_page("admin_kpis")
    assert isinstance(page, AdminKpisPage)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=20_000)
    if not window.ctx.connection.offers(ADMIN_KPIS):
        assert page.notice.text() == "This server does not offer this feature yet."
        page.show_report(sample_admin_report())  # the table itself still works on a report
    else:
        qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=20_000)
    if page.model.rowCount() > 1 and not window.ctx.connection.offers(ADMIN_KPIS):
        first = page.proxy.index(0, 0).data()
        assert first == "Taquería El Güero"
        assert "tenants" in page.totals.text()


def test_admin_dashboard_shows_every_column_on_a_laptop_screen(
    console: ConsoleApp, log_in: LogIn, world: World, qtbot: QtBot
) -> None:
    """At 1,280 × 800 in Spanish (the longer titles) every column shows without scrolling: a long
    title over short figures goes on two lines, and still reads whole as its tooltip."""
    window = log_in(world.superadmin)
    if window.ctx.settings.language != "es":
        window.language_box.setCurrentIndex(window.language_box.findData("es"))
        window = console.window
    assert window is not None and window.ctx.settings.language == "es"
    window.resize(1280, 800)
    page = window.open_page("admin_kpis")
    assert isinstance(page, AdminKpisPage)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=20_000)
    page.show_report(sample_admin_report())
    qtbot.waitUntil(lambda: page.table.viewport().width() > 600, timeout=5_000)
    columns = page.model.columnCount()
    assert page.table.horizontalScrollBar().maximum() == 0, "the last columns are cut at 1,280 px"
    titles = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(columns)]
    tips = [page.model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) for c in range(columns)]
    assert "Clientes\nactivos" in titles and "Clientes activos" in tips
    assert [t.replace("\n", " ") for t in titles] == tips
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


@pytest.mark.parametrize("preset", ["today", "7days", "30days", "month"])
def test_range_presets_end_today_in_the_tenant_zone(qtbot: QtBot, preset: str) -> None:
    picker = DateRangePicker(Translator("en"), lambda: "Pacific/Kiritimati")
    qtbot.addWidget(picker)
    picker.preset.setCurrentIndex(picker.preset.findData("custom"))
    with qtbot.waitSignal(picker.changed) as changed:
        picker.preset.setCurrentIndex(picker.preset.findData(preset))
    today = dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert tuple(changed.args) == preset_range(preset, today) == picker.range()
    assert picker.range()[1] == today


def test_dashboard_page_shows_figures_on_canvases(log_in: LogIn, world: World, qtbot: QtBot, tmp_path: Path) -> None:
    window = log_in(world.manager_a)
    page = window.open_page("kpis")
    assert isinstance(page, KpisPage)
    report = sample_report()
    page.show_dashboard(Dashboard(report, all_figures(report, page.i18n, TenantFormat(report.timezone, "MXN", "en"))))
    assert all(view.canvas is not None for view in page.views.values())
    cards = page.summary.cards
    assert cards["orders"].value.text() == f"{report.current.orders:,}" and cards["revenue"].value.text()[0] == "$"
    assert cards["revenue"].delta.text()[0] in "▲▼" and cards["revenue"].delta.property("trend") in ("up", "down")
    page.save_png("top_products", tmp_path / "top.png")
    assert (tmp_path / "top.png").read_bytes().startswith(b"\x89PNG")
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_a_kpi_cards_change_says_up_down_same_or_nothing_to_compare() -> None:
    tr, fmt = Translator("es"), TenantFormat("America/Mexico_City", "MXN", "es", "es_MX")
    assert change_text(Decimal("1200"), Decimal("1000"), tr, fmt) == ("▲ 20 % frente al periodo anterior", "up")
    assert change_text(3, 4, tr, fmt) == ("▼ 25 % frente al periodo anterior", "down")
    assert change_text(1000, 1001, tr, fmt) == ("igual que el periodo anterior", "flat")
    assert change_text(5, 0, tr, fmt) == ("sin periodo anterior para comparar", "flat")
