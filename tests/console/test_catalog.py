"""The catalog page: a manager gives a product other names; a clash is shown, naming the product."""

from __future__ import annotations

import secrets
from decimal import Decimal

from pytestqt.qtbot import QtBot

from comandia.console.windows.catalog import CatalogPage
from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInput
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_a_manager_edits_aliases_and_sees_a_clash_named(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    tag = secrets.token_hex(3).upper()
    tenant_id = world.tenant_a.id
    coke = manager_a_client.catalog.create_product(
        tenant_id, ProductInput(f"COCA-{tag}", f"Coca-Cola {tag}", Decimal("25"), aliases=(f"coca {tag}",))
    )
    pepsi = manager_a_client.catalog.create_product(
        tenant_id, ProductInput(f"PEPSI-{tag}", f"Pepsi {tag}", Decimal("24"))
    )
    window = log_in(world.manager_a)
    page = window.open_page("catalog")
    assert isinstance(page, CatalogPage)
    qtbot.waitUntil(lambda: any(p.id == pepsi.id for p in page.model.records()), timeout=10_000)
    header = [page.model.title(c) for c in range(page.model.columnCount())]
    row = next(i for i, p in enumerate(page.model.records()) if p.id == coke.id)
    assert page.model.data(page.model.index(row, header.index(page.i18n("catalog.aliases")))) == f"coca {tag}"

    page.search.setText(f"PEPSI-{tag}")
    page.table.selectRow(0)
    editor = page.edit_selected()
    assert editor is not None and editor.aliases.toPlainText() == ""
    editor.aliases.setPlainText(f"pepsi cola {tag}\n\n  COCA {tag} \n")
    editor.save()
    qtbot.waitUntil(lambda: bool(editor.error.text()), timeout=10_000)
    assert f"Coca-Cola {tag}" in editor.error.text() and editor.isVisible()
    assert manager_a_client.catalog.get_product(tenant_id, pepsi.id).aliases == ()

    editor.aliases.setPlainText(f"pepsi cola {tag}\nrefresco de cola {tag}")
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        editor.save()
    assert manager_a_client.catalog.get_product(tenant_id, pepsi.id).aliases == (
        f"pepsi cola {tag}",
        f"refresco de cola {tag}",
    )
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_a_manager_marks_a_product_sold_out_and_back_in_one_click(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    tag = secrets.token_hex(3).upper()
    tenant_id = world.tenant_a.id
    flan = manager_a_client.catalog.create_product(tenant_id, ProductInput(f"FLAN-{tag}", f"Flan {tag}", Decimal("30")))
    window = log_in(world.manager_a)
    page = window.open_page("catalog")
    assert isinstance(page, CatalogPage)
    qtbot.waitUntil(lambda: any(p.id == flan.id for p in page.model.records()), timeout=10_000)
    assert not page.sold_out_button.isEnabled()
    page.search.setText(f"FLAN-{tag}")
    page.table.selectRow(0)
    assert page.sold_out_button.isEnabled() and page.sold_out_button.text() == page.i18n("catalog.mark_sold_out")
    page.sold_out_button.click()
    qtbot.waitUntil(lambda: not manager_a_client.catalog.get_product(tenant_id, flan.id).available, timeout=10_000)
    qtbot.waitUntil(lambda: any(p.id == flan.id and not p.available for p in page.model.records()), timeout=10_000)
    header = [page.model.title(c) for c in range(page.model.columnCount())]
    row = next(i for i, p in enumerate(page.model.records()) if p.id == flan.id)
    cell = page.model.data(page.model.index(row, header.index(page.i18n("catalog.available"))))
    assert cell == page.i18n("catalog.sold_out")
    page.table.selectRow(0)
    assert page.sold_out_button.text() == page.i18n("catalog.back_on_sale")
    page.sold_out_button.click()
    qtbot.waitUntil(lambda: manager_a_client.catalog.get_product(tenant_id, flan.id).available, timeout=10_000)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
