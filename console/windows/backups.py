"""Backups (superadmin): each tenant's last verified restore (RELIABILITY R10), back up now, check a
backup by restoring it again, restore one as a new tenant.

Backing up, checking and restoring take seconds on the server: they run off the GUI thread like
every call (the page's `call`), with the busy bar, a sentence saying what is happening and the
action buttons disabled until the answer comes. One action runs at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from comandia.console.context import AppContext
from comandia.console.errors import user_message
from comandia.console.formats import TenantFormat
from comandia.console.models.backups import Clock, backup_columns, human_size, state_columns
from comandia.console.models.proxy import SearchSortProxy
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.backup_restore import RestoreDialog
from comandia.console.windows.base import Page, fit_columns
from comandia.shared.client import ApiClient, ApiError, UnavailableError
from comandia.shared.client.backups import BASE as BACKUPS
from comandia.shared.schemas.backups import BackupRecord, RestoreCheck, TenantBackupState, stage_name
from comandia.shared.schemas.tenants import TenantInfo

SLOW_CALL_SECONDS = 900.0
"""How long a backup, check or restore may take before the console gives up waiting.

The usual 15 s answer timeout is for ordinary calls; a big tenant's dump and restore can take
minutes, and giving up early would report a failure for a backup that is still being made.
"""

_OK_STYLE = "color: #1b5e20;"
_ERROR_STYLE = "color: #b00020;"


def computer_zone() -> str:
    """This computer's IANA time zone (the operator's local time), or UTC when Python cannot use it."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def patient(work: Callable[[ApiClient], Any]) -> Callable[[ApiClient], Any]:
    """`work` with the thread's client waiting up to `SLOW_CALL_SECONDS` for the answer."""

    def run(client: ApiClient) -> Any:
        usual = client.transport.timeout
        client.transport.timeout = max(usual, SLOW_CALL_SECONDS)
        try:
            return work(client)
        finally:
            client.transport.timeout = usual

    return run


class BackupsPage(Page):
    """Live tenants with their backup health on top, the selected tenant's backups below.

    Args:
        clock: now, in UTC (when a verified restore counts as too old); injected by the screenshots.

    Signals:
        tenantRestored(object): a backup became this new tenant (`TenantInfo`).
    """

    tenantRestored = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, clock: Clock | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.clock: Clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.fmt = TenantFormat(computer_zone(), language=tr.language)
        self.states: RecordTableModel[TenantBackupState] = RecordTableModel(
            state_columns(tr, self.fmt, lambda: self.clock()), self
        )
        self.proxy = SearchSortProxy(self)
        self.proxy.setSourceModel(self.states)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("common.search"))
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        refresh = QPushButton(tr("common.refresh"))
        refresh.clicked.connect(self.reload)
        self.state_table = self._table(self.proxy)
        self.state_table.setSortingEnabled(True)
        self.state_table.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # what needs attention first
        self.state_table.selectionModel().selectionChanged.connect(lambda _a, _b: self._tenant_picked())
        self.zone_note = QLabel(tr("backups.zone_note", zone=self.fmt.timezone))
        self.zone_note.setWordWrap(True)
        self.backup_button = QPushButton(tr("backups.back_up"))
        self.verify_button = QPushButton(tr("backups.verify"))
        self.restore_button = QPushButton(tr("backups.restore"))
        self.backup_button.clicked.connect(self.back_up_now)
        self.verify_button.clicked.connect(self.verify_selected)
        self.restore_button.clicked.connect(self.ask_restore)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        self.list_title = QLabel(tr("backups.no_tenant"))
        self.backups: RecordTableModel[BackupRecord] = RecordTableModel(backup_columns(tr, self.fmt), self)
        self.backup_table = self._table(self.backups)
        self.backup_table.selectionModel().selectionChanged.connect(lambda _a, _b: self._update_buttons())
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(refresh)
        actions = QHBoxLayout()
        actions.addWidget(self.backup_button)
        actions.addStretch(1)
        actions.addWidget(self.verify_button)
        actions.addWidget(self.restore_button)
        self.body.addLayout(top)
        self.body.addWidget(self.state_table, 2)
        self.body.addWidget(self.zone_note)
        self.body.addWidget(self.result)
        self.body.addWidget(self.list_title)
        self.body.addLayout(actions)
        self.body.addWidget(self.backup_table, 3)
        self.running: str | None = None  # the action on its way ("backup", "verify", "restore")
        self.listed_tenant: str | None = None  # whose backups the lower table shows (or is loading)
        self.restore_dialog: RestoreDialog | None = None
        self.confirm: QMessageBox | None = None
        self._generation = 0  # the backups list of a tenant picked earlier must not land late
        self._refilling = False
        self._update_buttons()

    @staticmethod
    def _table(model: Any) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # --- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        offered = self.ctx.connection.offers(BACKUPS)
        for widget in (self.state_table, self.backup_table, self.search):
            widget.setEnabled(offered)
        if not offered:
            self.say(self.i18n("main.not_offered"))
            self._update_buttons()
            return
        self.call(lambda client: client.backups.states(), self._states_loaded)

    def _states_loaded(self, states: list[TenantBackupState]) -> None:
        self.say("")
        chosen = self.listed_tenant
        self._refilling = True  # the reset and the reselection are not the user picking a tenant
        try:
            self.states.set_rows(states)
            fit_columns(self.state_table, self.states)
            self.select_tenant(chosen or "")
            if self.selected_tenant() is None and self.proxy.rowCount():
                self.state_table.selectRow(0)
        finally:
            self._refilling = False
        self.load_backups()

    def select_tenant(self, tenant_id: str) -> bool:
        """Select the row of `tenant_id` (which loads its backups); False when it is not listed."""
        for row in range(self.states.rowCount()):
            if self.states.record(row).tenant_id == tenant_id:
                self.state_table.selectRow(self.proxy.mapFromSource(self.states.index(row, 0)).row())
                return True
        return False

    def _tenant_picked(self) -> None:
        state = self.selected_tenant()
        if not self._refilling and (state.tenant_id if state else None) != self.listed_tenant:
            self.load_backups()
        self._update_buttons()

    def load_backups(self) -> None:
        """Show the selected tenant's backups, newest first."""
        state = self.selected_tenant()
        self._generation += 1
        generation = self._generation
        self.listed_tenant = state.tenant_id if state else None
        if state is None:
            self.backups.set_rows([])
            self.list_title.setText(self.i18n("backups.no_tenant"))
            self._update_buttons()
            return
        self.list_title.setText(self.i18n("backups.list_title", name=state.tenant_name))
        tenant_id = state.tenant_id

        def loaded(rows: list[BackupRecord]) -> None:
            if generation == self._generation:
                self.backups.set_rows(rows)
                fit_columns(self.backup_table, self.backups)
                self._update_buttons()

        self.call(lambda client: client.backups.list(tenant_id), loaded)

    def selected_tenant(self) -> TenantBackupState | None:
        rows = self.state_table.selectionModel().selectedRows()
        return self.states.record(self.proxy.mapToSource(rows[0]).row()) if rows else None

    def selected_backup(self) -> BackupRecord | None:
        rows = self.backup_table.selectionModel().selectedRows()
        return self.backups.record(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        idle = self.running is None and self.ctx.connection.offers(BACKUPS)
        backup = self.selected_backup()
        usable = backup is not None and backup.status == "ok"
        self.backup_button.setEnabled(idle and self.selected_tenant() is not None)
        self.verify_button.setEnabled(idle and usable)
        # a backup whose newest check failed may restore broken data: check it again first
        self.restore_button.setEnabled(idle and usable and backup is not None and backup.verify_result != "failed")

    # --- actions ---------------------------------------------------------------------------
    def _start(
        self,
        action: str,
        button: QPushButton,
        busy_key: str,
        text: str,
        work: Callable[[ApiClient], Any],
        on_done: Callable[[Any], None],
    ) -> None:
        """Run one slow action: busy button and sentence now, the outcome in the result line later."""
        idle_text = button.text()

        def settled() -> None:
            self.running = None
            button.setText(idle_text)
            self._update_buttons()

        self.running = action
        button.setText(self.i18n(busy_key))
        self._update_buttons()
        self.show_result(text)
        self.call(patient(work), on_done, lambda error: self._action_failed(action, error), settled)

    def back_up_now(self) -> None:
        """Back the selected tenant up and prove the backup by restoring it (seconds, in the background)."""
        state = self.selected_tenant()
        if state is None or self.running is not None:
            return
        tenant_id, name = state.tenant_id, state.tenant_name
        self._start(
            "backup",
            self.backup_button,
            "backups.backing_up",
            self.i18n("backups.working_backup", name=name),
            lambda client: client.backups.run(tenant_id, verify=True),
            lambda outcome: self._backed_up(name, *outcome),
        )

    def _backed_up(self, name: str, backup: BackupRecord, check: RestoreCheck | None) -> None:
        size = human_size(backup.size_bytes, self.fmt)
        if check is None:
            self.show_result(self.i18n("backups.done_unchecked", name=name, size=size))
        elif check.ok:
            self.show_result(
                self.i18n(
                    "backups.done_ok",
                    name=name,
                    size=size,
                    tables=check.tables,
                    rows=self.fmt.number(check.rows),
                    seconds=self.fmt.number(check.seconds, 1),
                ),
                _OK_STYLE,
            )
        else:
            self.show_check_failure(check)
        self.reload()

    def verify_selected(self) -> None:
        """Restore the selected backup into a scratch database again and compare it."""
        backup = self.selected_backup()
        if backup is None or self.running is not None:
            return
        backup_id = backup.id
        self._start(
            "verify",
            self.verify_button,
            "backups.verifying",
            self.i18n("backups.working_verify", when=self.fmt.instant(backup.started_at)),
            lambda client: client.backups.verify(backup_id),
            self._verified,
        )

    def _verified(self, check: RestoreCheck) -> None:
        if check.ok:
            self.show_result(
                self.i18n(
                    "backups.check_passed",
                    tables=check.tables,
                    rows=self.fmt.number(check.rows),
                    seconds=self.fmt.number(check.seconds, 1),
                ),
                _OK_STYLE,
            )
        else:
            self.show_check_failure(check)
        self.reload()

    def ask_restore(self) -> None:
        """Ask the new tenant's name (non-modal), then confirm, then restore the selected backup."""
        backup, state = self.selected_backup(), self.selected_tenant()
        if backup is None or state is None or self.running is not None:
            return
        when = self.fmt.instant(backup.started_at)
        suggestion = self.i18n("backups.copy_name", name=state.tenant_name, day=self.fmt.day(backup.started_at.date()))
        dialog = RestoreDialog(self.i18n, state.tenant_name, when, suggestion, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda name: self._confirm_restore(backup, state.tenant_name, when, name))
        dialog.finished.connect(lambda _result: setattr(self, "restore_dialog", None))
        self.restore_dialog = dialog
        dialog.show()

    def _confirm_restore(self, backup: BackupRecord, tenant: str, when: str, name: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.i18n("backups.restore_title"),
            self.i18n("backups.confirm_restore", name=name, tenant=tenant, when=when),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda answer: self._restore_answered(answer, backup, name))
        self.confirm = box
        box.show()

    def _restore_answered(self, answer: int, backup: BackupRecord, name: str) -> None:
        self.confirm = None
        if answer != QMessageBox.StandardButton.Yes or self.running is not None:
            return
        backup_id = backup.id
        self._start(
            "restore",
            self.restore_button,
            "backups.restoring",
            self.i18n("backups.working_restore", name=name),
            lambda client: client.backups.restore_as(backup_id, name),
            self._restored,
        )

    def _restored(self, tenant: TenantInfo) -> None:
        self.show_result(self.i18n("backups.restored", name=tenant.name, id=tenant.id), _OK_STYLE)
        self.tenantRestored.emit(tenant)
        self.reload()

    # --- outcomes --------------------------------------------------------------------------
    def show_result(self, text: str, style: str = "") -> None:
        self.result.setStyleSheet(style)
        self.result.setText(text)
        self.result.setVisible(bool(text))

    def show_check_failure(self, check: RestoreCheck) -> None:
        """A failed check in the reader's language: its stage, why, and each table that differs."""
        language = self.i18n.language
        detail = check.failure.sentence(language) if check.failure else check.detail
        stage = stage_name(language, check.stage)
        self.show_result(self.i18n("backups.check_problem", stage=stage, detail=detail), _ERROR_STYLE)

    def _action_failed(self, action: str, error: Exception) -> None:
        """Say what went wrong in the result line (never a traceback); reload what the server recorded."""
        if isinstance(error, UnavailableError) and error.detail and action == "backup":
            text = self.i18n("backups.run_failed", detail=error.detail)  # the server names the cause in a 503
        else:
            message = user_message(error, self.i18n)
            if isinstance(error, ApiError) and error.detail and error.detail not in message:
                message = f"{message} {error.detail}"
            text = self.i18n("backups.action_failed", message=message)
        self.show_result(text, _ERROR_STYLE)
        if isinstance(error, ApiError):
            self.reload()  # a failed backup is recorded too; an unreachable server would only fail again
