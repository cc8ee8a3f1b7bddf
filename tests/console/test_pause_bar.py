"""The board's "pause orders" switch saves the pause and its message through the API, a viewer's
click is refused and undone, and a new-order alert that failed is named on the board."""

from __future__ import annotations

import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from comandia.console.windows.board import BoardPage
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from comandia.shared.schemas.tenants import TenantSettingsChange
from tests.console.conftest import LogIn, seed_orders
from tests.plugins.api import World


def test_the_board_pauses_and_resumes_orders_and_names_failed_alerts(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient, runtime: Runtime
) -> None:
    tenant_id = world.tenant_a.id
    try:
        manager_a_client.tenants.change_settings(tenant_id, TenantSettingsChange(order_alerts=("cocina@example.com",)))
        order = seed_orders(manager_a_client, tenant_id, 1)[0]
        with runtime.databases.tenant_session(tenant_id) as session:  # as the alert job records a refusal
            session.execute(
                sa.text(
                    "UPDATE order_alerts SET state = 'failed', last_error = 'SMTP 550 no such mailbox' "
                    "WHERE order_id = :o"
                ),
                {"o": order.id},
            )
            session.commit()
        window = log_in(world.manager_a)
        board = window.current_page()
        assert isinstance(board, BoardPage)
        qtbot.waitUntil(lambda: board.pause.failures.isVisible() or board.pause.failures.text() != "", timeout=10_000)
        assert f"#{order.number}" in board.pause.failures.text() or f"no. {order.number}" in board.pause.failures.text()
        assert "SMTP 550 no such mailbox" in board.pause.failures.text()
        qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
        board.pause.message.setText("Cocina llena, volvemos en 20 minutos")
        board.pause.switch.click()
        qtbot.waitUntil(lambda: manager_a_client.tenants.settings(tenant_id).orders_paused, timeout=10_000)
        assert manager_a_client.tenants.settings(tenant_id).paused_message == "Cocina llena, volvemos en 20 minutos"
        qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
        board.pause.switch.click()
        qtbot.waitUntil(lambda: not manager_a_client.tenants.settings(tenant_id).orders_paused, timeout=10_000)
        qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
        window.close()
        viewer = log_in(world.viewer_a)
        board = viewer.current_page()
        assert isinstance(board, BoardPage)
        qtbot.waitUntil(lambda: viewer.ctx.runner.busy == 0, timeout=10_000)
        board.pause.switch.click()  # a viewer may not: refused (403) and the switch shows what holds
        qtbot.waitUntil(lambda: viewer.ctx.runner.busy == 0 and not board.pause.switch.isChecked(), timeout=10_000)
        assert board.notice.text() and not manager_a_client.tenants.settings(tenant_id).orders_paused
    finally:
        manager_a_client.tenants.change_settings(
            tenant_id, TenantSettingsChange(orders_paused=False, paused_message="", order_alerts=())
        )
