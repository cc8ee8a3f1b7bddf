"""The users page (superadmin): every account with its role and its business, by name."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from comandia.console.windows.users import UsersPage
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_the_users_page_names_each_users_business(log_in: LogIn, world: World, qtbot: QtBot) -> None:
    window = log_in(world.superadmin)
    page = window.open_page("users")
    assert isinstance(page, UsersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=15_000)
    rows = {page.model.texts(row)[0]: page.model.texts(row) for row in range(page.model.rowCount())}
    assert rows[world.manager_a.username][2] == world.tenant_a.name  # its name, never its id
    assert rows[world.superadmin.username][2] == ""  # no business
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
