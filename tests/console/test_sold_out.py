"""The catalog page: one click marks a product sold out, another puts it back on sale."""

from __future__ import annotations

import secrets
from decimal import Decimal

from pytestqt.qtbot import QtBot

from comandia.console.windows.catalog import CatalogPage
from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInput
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_one_click_sold_out_and_back(log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient) -> None:
    tag = secrets.token_hex(3).upper()
    tenant_id = world.tenant_a.id
    flan = manager_a_client.catalog.create_product(tenant_id, ProductInput(f"FLAN-{tag}", f"Flan {tag}", Decimal("35")))
    window = log_in(world.manager_a)
    page = window.open_page("catalog")
    assert isinstance(page, CatalogPage)
    qtbot.waitUntil(lambda: any(p.id == flan.id for p in page.model.records()), timeout=10_000)
    page.search.setText(f"FLAN-{tag}")
    for expected in (False, True):
        page.table.selectRow(0)
        with qtbot.waitSignal(page.message, timeout=10_000):
            page.toggle_sold_out()
        assert manager_a_client.catalog.get_product(tenant_id, flan.id).available is expected
        qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
        qtbot.waitUntil(lambda e=expected: any(p.id == flan.id and p.available is e for p in page.model.records()),
                        timeout=10_000)
