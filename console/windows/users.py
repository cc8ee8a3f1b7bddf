"""Users (superadmin): every account, its role and tenant; enable or disable one."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QTableView, QWidget

from comandia.console.context import AppContext
from comandia.console.models.proxy import SearchSortProxy
from comandia.console.models.records import user_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page
from comandia.shared.schemas.users import UserInfo


class UsersPage(Page):
    """Signals: inherited `message(str)`."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model: RecordTableModel[UserInfo] = RecordTableModel(user_columns(self.tr), self)
        self.proxy = SearchSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("common.search"))
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.toggle = QPushButton(self.tr("users.toggle"))
        self.toggle.clicked.connect(self.toggle_selected)
        refresh = QPushButton(self.tr("common.refresh"))
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

    def reload(self) -> None:
        self.call(lambda client: client.users.list(), self.model.set_rows)

    def toggle_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        user = self.model.record(self.proxy.mapToSource(rows[0]).row())
        self.call(lambda client: client.users.update(user.id, disabled=not user.disabled), lambda _u: self.reload())
