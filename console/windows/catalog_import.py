"""Import a catalog file: choose CSV/XLSX, see the dry run row by row, then apply (all or nothing)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QTableView, QWidget

from comandia.console.context import AppContext
from comandia.console.models.records import issue_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns
from comandia.shared.schemas.catalog import ImportIssue, ImportReport


class CatalogImportWindow(Page):
    """A non-modal window; Apply is enabled only after a dry run without problems.

    Signals:
        checked(object): the dry run's `ImportReport`.
        applied(object): the applied `ImportReport`.
    """

    checked = Signal(object)
    applied = Signal(object)

    def __init__(self, ctx: AppContext, tenant_id: str, parent: QWidget | None = None, embedded: bool = False) -> None:
        super().__init__(ctx, None)
        self.setParent(parent, Qt.WindowType.Widget if embedded else Qt.WindowType.Window)
        self.setWindowTitle(self.i18n("import.title"))
        self.resize(700, 480)
        self.tenant_id = tenant_id
        self.content: bytes = b""
        self.xlsx = False
        self.report: ImportReport | None = None
        self.file_label = QLabel()
        self.choose = QPushButton(self.i18n("import.choose"))
        self.choose.clicked.connect(self.pick_file)
        self.check_button = QPushButton(self.i18n("import.dry_run"))
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self.dry_run)
        self.apply_button = QPushButton(self.i18n("import.apply"))
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.issues: RecordTableModel[ImportIssue] = RecordTableModel(issue_columns(self.i18n), self)
        self.table = QTableView()
        self.table.setModel(self.issues)
        self.table.horizontalHeader().setStretchLastSection(True)
        row = QHBoxLayout()
        row.addWidget(self.choose)
        row.addWidget(self.file_label, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.apply_button)
        self.body.addLayout(row)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.table)
        self.picker: QFileDialog | None = None

    def pick_file(self) -> None:
        self.picker = QFileDialog(self, self.i18n("import.choose"), "", "Catalog (*.csv *.xlsx)")
        self.picker.fileSelected.connect(lambda path: self.load_file(Path(path)))
        self.picker.open()

    def load_file(self, path: Path, content: bytes | None = None) -> None:
        """Take the file to import (read here: a local file, not the network); then check it."""
        self.content = path.read_bytes() if content is None else content
        self.xlsx = path.suffix.lower() == ".xlsx"
        self.file_label.setText(path.name)
        self.check_button.setEnabled(True)
        self.dry_run()

    def dry_run(self) -> None:
        self._start()
        tenant_id, content, xlsx = self.tenant_id, self.content, self.xlsx
        self.call(
            lambda client: client.catalog.import_file(tenant_id, content, xlsx, dry_run=True),
            self._checked,
            self._failed,
        )

    def apply(self) -> None:
        if self.report is None or not self.report.ok:
            self.say(self.i18n("import.fix_first"))
            return
        self._start()
        tenant_id, content, xlsx = self.tenant_id, self.content, self.xlsx
        self.call(
            lambda client: client.catalog.import_file(tenant_id, content, xlsx, dry_run=False),
            self._applied,
            self._failed,
        )

    def _start(self) -> None:
        self.say(self.i18n("import.working"))
        self.apply_button.setEnabled(False)
        self.check_button.setEnabled(False)

    def _show(self, report: ImportReport) -> None:
        self.report = report
        self.summary.setText(
            self.i18n(
                "import.summary",
                rows=report.rows,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                issues=len(report.issues),
            )
        )
        self.issues.set_rows(report.issues)
        fit_columns(self.table, self.issues)  # row and column narrow: the problem sentence gets the width
        self.check_button.setEnabled(True)

    def _checked(self, report: ImportReport) -> None:
        self._show(report)
        self.say("" if report.ok else self.i18n("import.fix_first"))
        self.apply_button.setEnabled(report.ok)
        self.checked.emit(report)

    def _applied(self, report: ImportReport) -> None:
        self._show(report)
        self.say(self.i18n("import.applied"))
        self.applied.emit(report)

    def _failed(self, error: Exception) -> None:
        self.check_button.setEnabled(bool(self.content))
        self.say_error(error)
