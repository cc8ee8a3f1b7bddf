"""Tenants (superadmin): state and server, search and sort, deactivate/reactivate with confirmation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QMessageBox, QPushButton, QTableView, QWidget

from comandia.console.context import AppContext
from comandia.console.models.proxy import SearchSortProxy
from comandia.console.models.records import tenant_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns
from comandia.shared.client import ApiClient
from comandia.shared.schemas.tenants import TenantInfo


class TenantsPage(Page):
    """Every tenant, including deactivated ones.

    Signals:
        opened(str): the user wants to work inside this tenant (its id).
    """

    opened = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.model: RecordTableModel[TenantInfo] = RecordTableModel(tenant_columns(tr, ctx.fmt), self)
        self.proxy = SearchSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("common.search"))
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.open_button = QPushButton(tr("tenants.open"))
        self.deactivate_button = QPushButton(tr("tenants.deactivate"))
        self.reactivate_button = QPushButton(tr("tenants.reactivate"))
        refresh = QPushButton(tr("common.refresh"))
        self.open_button.clicked.connect(self.open_selected)
        self.deactivate_button.clicked.connect(lambda: self.ask_state_change(False))
        self.reactivate_button.clicked.connect(lambda: self.ask_state_change(True))
        refresh.clicked.connect(self.reload)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        for button in (self.open_button, self.deactivate_button, self.reactivate_button, refresh):
            row.addWidget(button)
        self.body.addLayout(row)
        self.body.addWidget(self.table)
        self.confirm: QMessageBox | None = None

    def _loaded(self, rows: list[Any]) -> None:
        self.model.set_rows(rows)
        fit_columns(self.table, self.model)

    def reload(self) -> None:
        self.call(lambda client: client.tenants.list(include_deleted=True), self._loaded)

    def selected(self) -> TenantInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record(self.proxy.mapToSource(rows[0]).row())

    def open_selected(self) -> None:
        tenant = self.selected()
        if tenant is not None and tenant.state == "active":
            self.opened.emit(tenant.id)

    def ask_state_change(self, active: bool) -> None:
        """Ask (non-modally) before deactivating or reactivating the selected tenant."""
        tenant = self.selected()
        if tenant is None:
            return
        key = "tenants.confirm_reactivate" if active else "tenants.confirm_deactivate"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.i18n("app.title"),
            self.i18n(key, name=tenant.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda answer: self._answered(answer, tenant, active))
        self.confirm = box
        box.show()

    def _answered(self, answer: int, tenant: TenantInfo, active: bool) -> None:
        self.confirm = None
        if answer != QMessageBox.StandardButton.Yes:
            return
        tenant_id = tenant.id

        def change(client: ApiClient) -> TenantInfo:
            return client.tenants.reactivate(tenant_id) if active else client.tenants.deactivate(tenant_id)

        self.call(change, lambda _t: self.reload())
