"""Switching the screen language from the top bar retranslates the console at once, on the same page."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from comandia.console.app import ConsoleApp
from comandia.console.windows.orders import OrdersPage
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_the_language_switch_takes_effect_without_a_restart(
    console: ConsoleApp, log_in: LogIn, world: World, qtbot: QtBot
) -> None:
    window = log_in(world.superadmin)
    window.open_page("orders")
    tenant = window.ctx.tenant
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=15_000)
    assert window.nav.item(0).text() == "Tenants"
    window.language_box.setCurrentIndex(window.language_box.findData("es"))
    fresh = console.window
    assert fresh is not None and fresh is not window and fresh.isVisible()
    assert [fresh.nav.item(i).text() for i in range(2)] == ["Negocios", "Nuevo negocio"]
    assert fresh.language_box.currentData() == "es" and console.ctx.settings.language == "es"
    assert isinstance(fresh.current_page(), OrdersPage) and fresh.ctx.tenant == tenant
    assert fresh.current_page().status.itemText(0) == "Todos"
    qtbot.waitUntil(lambda: fresh.ctx.runner.busy == 0, timeout=15_000)
