"""Users (superadmin): every account, its role and tenant; enable or disable one."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QTableView, QWidget

from comandia.console.context import AppContext
from comandia.console.models.proxy import SearchSortProxy
from comandia.console.models.records import user_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns
from comandia.shared.schemas.users import UserInfo


class UsersPage(Page):
    """Signals: inherited `message(str)`."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.tenant_names: dict[str, str] = {}
        self.model: RecordTableModel[UserInfo] = RecordTableModel(user_columns(self.i18n, self.tenant_names), self)
        self.proxy = SearchSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.i18n("common.search"))
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.toggle = QPushButton(self.i18n("users.toggle"))
        self.toggle.clicked.connect(self.toggle_selected)
        refresh = QPushButton(self.i18n("common.refresh"))
        refresh.clicked.connect(self.reload)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.toggle)
        row.addWidget(refresh)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.body.addLayout(row)
        self.body.addWidget(self.table)

    def _loaded(self, rows: list[Any]) -> None:
        self.tenant_names.clear()  # each user's business by its name, never its id
        self.tenant_names.update({t.id: t.name for t in self.ctx.tenants})
        self.model.set_rows(rows)
        fit_columns(self.table, self.model)

    def reload(self) -> None:
        self.call(lambda client: client.users.list(), self._loaded)

    def toggle_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        user = self.model.record(self.proxy.mapToSource(rows[0]).row())
        self.call(lambda client: client.users.update(user.id, disabled=not user.disabled), lambda _u: self.reload())
