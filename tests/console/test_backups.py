"""The backups page (superadmin): each tenant's last verified restore (R10), back up now off the GUI
thread, restore a backup as a new tenant; managers never get the page."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from comandia.console.app import ConsoleApp
from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.console.i18n_catalog import CATALOG
from comandia.console.models.backups import WARNING_MARK, backup_columns, human_size, restore_warning, state_columns
from comandia.console.models.table import WARN_BACKGROUND, RecordTableModel
from comandia.console.windows.backups import BackupsPage
from comandia.console.windows.main_window import MainWindow
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient, ServerUnreachable, UnavailableError
from comandia.shared.schemas.backups import BackupRecord, CheckFailure, TableMismatch, TenantBackupState
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.tenants import TenantInfo
from tests.console.conftest import LogIn
from tests.plugins.api import World

NOW = dt.datetime(2026, 3, 31, 18, 30, tzinfo=dt.UTC)
SLOW = 120_000  # ms: a backup and its restore check take seconds on a loaded machine


def state(verified: dt.datetime | None, failed: bool = False, name: str = "Tienda") -> TenantBackupState:
    return TenantBackupState("t1", name, verified, "ok" if verified else None, verified, failed)


def test_a_failed_missing_or_old_restore_is_flagged() -> None:
    assert restore_warning(state(NOW - dt.timedelta(hours=30)), NOW) is None
    assert restore_warning(state(NOW - dt.timedelta(hours=30), failed=True), NOW) == "failed"
    assert restore_warning(state(None), NOW) == "never"
    assert restore_warning(state(NOW - dt.timedelta(days=2, minutes=1)), NOW) == "stale"
    for reason in ("failed", "never", "stale"):
        assert f"backups.warn_{reason}" in CATALOG
    for status in ("running", "ok", "failed", "pruned"):
        assert f"backups.state_{status}" in CATALOG


def test_the_health_cells_say_and_paint_the_warning(qtbot: QtBot) -> None:
    tr, fmt = Translator("en"), TenantFormat(language="en")
    model: RecordTableModel[TenantBackupState] = RecordTableModel(state_columns(tr, fmt, lambda: NOW))
    model.set_rows(
        [
            state(NOW - dt.timedelta(hours=3), name="Fresca"),
            state(None, name="Nunca"),
            state(NOW - dt.timedelta(days=1), failed=True, name="Rota"),
        ]
    )
    fresh, never, broken = (model.texts(row) for row in range(3))
    assert fresh[3] == "3/31/2026 3:30\u202fPM" and fresh[4] == ""
    assert never[3] == WARNING_MARK + "never" and never[4] == "No backup was ever restored"
    assert broken[3].startswith(WARNING_MARK) and broken[4] == "The newest restore check failed"
    assert model.data(model.index(0, 3), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(1, 3), Qt.ItemDataRole.BackgroundRole) == WARN_BACKGROUND
    assert model.data(model.index(2, 4), Qt.ItemDataRole.BackgroundRole) == WARN_BACKGROUND
    assert human_size(None, fmt) == "" and human_size(950, fmt) == "950 B"
    assert human_size(12_345_678, fmt) == "12.3 MB"
    assert human_size(12_345_678, TenantFormat(country_locale="es_AR")) == "12,3 MB"
    damaged = BackupRecord(7, "t1", NOW, NOW, 2048, True, "ok", NOW, "failed", "sha256 differs", None)
    backups: RecordTableModel[BackupRecord] = RecordTableModel(backup_columns(tr, fmt))
    backups.set_rows([damaged])
    assert backups.texts(0) == (
        "3/31/2026 6:30\u202fPM",
        "2.0 kB",
        "Yes",
        "ok",
        "3/31/2026 6:30\u202fPM",
        WARNING_MARK + "failed — sha256 differs",
    )


def test_a_failed_check_reads_in_the_readers_language_and_an_old_one_as_recorded() -> None:
    fmt = TenantFormat(language="es")
    failure = CheckFailure(
        "the restored tables differ from the backup's manifest",
        mismatches=(TableMismatch("orders", "rows", 3, 4), TableMismatch("notes", "missing")),
    )
    checked = BackupRecord(8, "t1", NOW, NOW, 2048, False, "ok", NOW, "failed", "English log line", None, failure)
    old = BackupRecord(7, "t1", NOW, NOW, 2048, False, "ok", NOW, "failed", "orders: 3 rows, expected 4", None)
    backups: RecordTableModel[BackupRecord] = RecordTableModel(backup_columns(Translator("es"), fmt))
    backups.set_rows([checked, old])
    assert backups.texts(0)[5] == (
        WARNING_MARK + "falló — las tablas restauradas difieren del manifiesto de la copia; "
        "orders: filas 3, esperadas 4; notes: falta tras restaurar"
    )
    assert backups.texts(1)[5] == WARNING_MARK + "falló — orders: 3 rows, expected 4"  # stored before: as it was


def open_backups(window: MainWindow, qtbot: QtBot, tenant: TenantInfo) -> BackupsPage:
    page = window.open_page("backups")
    assert isinstance(page, BackupsPage)
    qtbot.waitUntil(lambda: any(s.tenant_id == tenant.id for s in page.states.records()), timeout=15_000)
    assert page.select_tenant(tenant.id)
    qtbot.waitUntil(lambda: page.listed_tenant == tenant.id and window.ctx.runner.busy == 0, timeout=15_000)
    return page


def row_of(page: BackupsPage, tenant_id: str) -> tuple[str, ...]:
    rows = [row for row in range(page.states.rowCount()) if page.states.record(row).tenant_id == tenant_id]
    assert len(rows) == 1
    return page.states.texts(rows[0])


def test_back_up_now_fills_in_the_last_verified_restore(
    log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient
) -> None:
    tenant = superadmin_client.tenants.create(f"Copia {secrets.token_hex(3)}")
    window = log_in(world.superadmin)
    page = open_backups(window, qtbot, tenant)
    before = row_of(page, tenant.id)
    assert before[0] == tenant.name and before[3] == WARNING_MARK + "never"
    assert before[4] == "No backup was ever restored" and page.backups.rowCount() == 0
    assert page.backup_button.isEnabled() and not page.verify_button.isEnabled()
    page.backup_button.click()
    # the call runs in the pool: the window keeps answering, the button says it is busy
    assert not page.backup_button.isEnabled() and page.backup_button.text() == "Backing up…"
    assert page.progress.isVisible()
    assert page.result.text().startswith(f"Backing up {tenant.name}")
    qtbot.waitUntil(lambda: page.running is None, timeout=SLOW)
    qtbot.waitUntil(lambda: page.backups.rowCount() == 1 and window.ctx.runner.busy == 0, timeout=15_000)
    assert "restored it successfully" in page.result.text(), page.result.text()
    after = row_of(page, tenant.id)
    verified = superadmin_client.backups.list(tenant.id)[0].verified_at
    assert after[3] == page.fmt.instant(verified) and after[4] == "" and after[2] == "ok"
    newest = page.backups.texts(0)
    assert newest[3] == "ok" and newest[5].startswith("ok") and newest[1].endswith("B")
    assert page.backup_button.isEnabled() and page.backup_button.text() == "Back up now"


def test_a_backup_restores_as_a_new_tenant(
    log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient
) -> None:
    tenant = superadmin_client.tenants.create(f"Origen {secrets.token_hex(3)}")
    sku = f"R-{secrets.token_hex(3)}"
    superadmin_client.catalog.create_product(tenant.id, ProductInput(sku=sku, name="Torta", price=Decimal("45.50")))
    superadmin_client.backups.run(tenant.id, verify=False)
    window = log_in(world.superadmin)
    page = open_backups(window, qtbot, tenant)
    qtbot.waitUntil(lambda: page.backups.rowCount() == 1, timeout=15_000)
    page.backup_table.selectRow(0)
    assert page.restore_button.isEnabled()
    page.restore_button.click()
    dialog = page.restore_dialog
    assert dialog is not None and dialog.isVisible() and dialog.name.text().startswith(tenant.name)
    dialog.name.setText("   ")
    assert not dialog.next_button.isEnabled() and dialog.problem.isVisible()
    name = f"Restaurada {secrets.token_hex(3)}"
    dialog.name.setText(name)
    assert dialog.next_button.isEnabled()
    dialog.next_button.click()
    confirm = page.confirm
    assert confirm is not None and name in confirm.text()
    with qtbot.waitSignal(page.tenantRestored, timeout=SLOW) as restored:
        confirm.button(QMessageBox.StandardButton.Yes).click()
        assert not page.restore_button.isEnabled()
    copy = restored.args[0]
    assert isinstance(copy, TenantInfo) and copy.name == name and copy.id != tenant.id
    assert f"(id {copy.id})" in page.result.text()
    assert {p.sku for p in superadmin_client.catalog.list_products(copy.id)} == {sku}
    assert copy.id in {t.id for t in superadmin_client.tenants.list()}
    # the tenant picker and the page list the new tenant too
    qtbot.waitUntil(lambda: window.tenant_box.findData(copy.id) >= 0, timeout=15_000)
    qtbot.waitUntil(lambda: any(s.tenant_id == copy.id for s in page.states.records()), timeout=15_000)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=15_000)


def test_failures_are_sentences_in_the_result_line(log_in: LogIn, world: World, qtbot: QtBot) -> None:
    window = log_in(world.superadmin)
    page = open_backups(window, qtbot, world.tenant_a)
    page._action_failed("backup", UnavailableError(503, "Unavailable", "the backup of t1 failed: disk full"))
    assert page.result.text() == "The backup failed: the backup of t1 failed: disk full"
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=15_000)
    page._action_failed("verify", ServerUnreachable("cannot reach"))
    assert page.result.text() == "It did not work: Cannot reach the server. Check the network or retry."
    assert "Traceback" not in page.result.text() and window.ctx.runner.busy == 0  # no reload against a dead server


def test_managers_have_no_backups_page(log_in: LogIn, world: World) -> None:
    window = log_in(world.manager_a)
    assert "backups" not in window.page_keys
    assert "tenants" not in window.page_keys


def test_a_damaged_backup_and_a_tampered_table_show_in_spanish(
    console: ConsoleApp, log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient, runtime: Runtime
) -> None:
    tenant = superadmin_client.tenants.create(f"Dañada {secrets.token_hex(3)}")
    superadmin_client.catalog.create_product(
        tenant.id, ProductInput(sku=f"D-{secrets.token_hex(3)}", name="Torta", price=Decimal("45.50"))
    )
    tampered, _ = superadmin_client.backups.run(tenant.id, verify=False)
    damaged, _ = superadmin_client.backups.run(tenant.id, verify=False)
    manifest = Path(runtime.backups.get(tampered.id).path) / "manifest.json"
    written = json.loads(manifest.read_text())
    written["tables"]["public.products"]["rows"] += 1  # one product more than the dump holds: the file is intact
    manifest.write_text(json.dumps(written))
    dump = Path(runtime.backups.get(damaged.id).path) / f"{tenant.id}.dump"
    dump.write_bytes(dump.read_bytes()[:-100])  # truncated
    window = log_in(world.superadmin)
    window.language_box.setCurrentIndex(window.language_box.findData("es"))
    spanish = console.window
    assert spanish is not None and spanish is not window
    qtbot.waitUntil(lambda: spanish.ctx.runner.busy == 0, timeout=15_000)
    page = open_backups(spanish, qtbot, tenant)
    qtbot.waitUntil(lambda: page.backups.rowCount() == 2, timeout=15_000)
    expected = {
        damaged.id: ["(etapa: integridad)", "bytes y el manifiesto dice"],
        tampered.id: [
            "(etapa: comparación)",
            "las tablas restauradas difieren del manifiesto de la copia; public.products: filas 1, esperadas 2",
        ],
    }
    for row in range(2):
        backup_id = page.backups.record(row).id
        page.backup_table.selectRow(row)
        page.verify_button.click()
        qtbot.waitUntil(lambda: page.running is None, timeout=SLOW)
        qtbot.waitUntil(lambda: spanish.ctx.runner.busy == 0, timeout=15_000)
        said = page.result.text()
        assert said.startswith("La prueba de restauración falló"), said
        assert all(part in said for part in expected[backup_id]), said
        assert "expected" not in said and "manifest says" not in said and "Traceback" not in said
    qtbot.waitUntil(lambda: page.backups.rowCount() == 2 and spanish.ctx.runner.busy == 0, timeout=15_000)
    checks = [page.backups.texts(row)[5] for row in range(2)]
    assert all(text.startswith(WARNING_MARK + "falló — ") for text in checks), checks
    assert any("public.products: filas 1, esperadas 2" in text for text in checks), checks
