"""Importing a catalog: the dry run shows the bad row, Apply waits until the file is clean."""

from __future__ import annotations

import secrets
from pathlib import Path

from pytestqt.qtbot import QtBot

from comandia.console.windows.catalog import CatalogPage
from comandia.shared.client import ApiClient
from tests.console.conftest import LogIn
from tests.plugins.api import World

HEADER = "sku,name,description,category,price,currency,available,stock,image_url,sort_order\r\n"


def test_a_bad_row_is_reported_and_nothing_applies_until_fixed(
    log_in: LogIn, world: World, qtbot: QtBot, tmp_path: Path, manager_a_client: ApiClient
) -> None:
    tag = secrets.token_hex(3).upper()
    bad = tmp_path / "catalog.csv"
    bad.write_text(
        HEADER + f"IMP-{tag}-1,Tamal verde,,Tamales,18.00,,yes,,,1\r\n"
        f"IMP-{tag}-2,Tamal rojo,,Tamales,dieciocho,,yes,,,2\r\n",
        encoding="utf-8",
    )
    window = log_in(world.manager_a)
    page = window.open_page("catalog")
    assert isinstance(page, CatalogPage)
    importer = page.open_import()
    assert importer is not None
    with qtbot.waitSignal(importer.checked, timeout=10_000) as checked:
        importer.load_file(bad)
    report = checked.args[0]
    assert not report.ok and report.applied is False
    assert importer.issues.rowCount() >= 1
    assert importer.issues.data(importer.issues.index(0, 0)) == "3"  # row 1 is the header
    assert importer.issues.data(importer.issues.index(0, 1)) == "price"
    assert importer.issues.data(importer.issues.index(0, 2)).startswith("must be a number")  # the console's language
    assert not importer.apply_button.isEnabled()
    assert "Fix the marked rows" in importer.notice.text()
    assert not [p for p in manager_a_client.catalog.list_products(world.tenant_a.id) if p.sku.startswith(f"IMP-{tag}")]

    good = tmp_path / "fixed.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace("dieciocho", "18.50"), encoding="utf-8")
    with qtbot.waitSignal(importer.checked, timeout=10_000):
        importer.load_file(good)
    assert importer.apply_button.isEnabled() and importer.issues.rowCount() == 0
    with qtbot.waitSignal(importer.applied, timeout=20_000):
        importer.apply_button.click()
    skus = {p.sku for p in manager_a_client.catalog.list_products(world.tenant_a.id)}
    assert {f"IMP-{tag}-1", f"IMP-{tag}-2"} <= skus
    qtbot.waitUntil(lambda: any(p.sku == f"IMP-{tag}-2" for p in page.model.records()), timeout=10_000)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
    importer.close()
