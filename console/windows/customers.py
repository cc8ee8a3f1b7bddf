"""Customers of the current tenant: a paged table with text search."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QTableView, QWidget

from comandia.console.context import AppContext
from comandia.console.models.records import customer_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns
from comandia.shared.schemas.customers import CustomerInfo, CustomerPage

PAGE_SIZE = 200


class CustomersPage(Page):
    """Signals: inherited `message(str)`."""

    needs_tenant = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.i18n("common.search"))
        self.search.returnPressed.connect(self.reload)
        refresh = QPushButton(self.i18n("common.refresh"))
        refresh.clicked.connect(self.reload)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(refresh)
        self.body.addLayout(row)
        self.table = QTableView()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.body.addWidget(self.table)
        self.model: RecordTableModel[CustomerInfo] = RecordTableModel([], self)

    def reload(self) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        tenant_id, text = tenant.id, self.search.text().strip() or None
        model: RecordTableModel[CustomerInfo] = RecordTableModel(customer_columns(self.i18n, self.ctx.fmt), self)
        self.model = model
        self.table.setModel(model)

        def failed(error: Exception) -> None:
            model.page_failed()
            self.say_error(error)

        def more(cursor: str) -> None:
            self.call(
                lambda client: client.customers.list(tenant_id, text, PAGE_SIZE, cursor),
                lambda page: model.append_page(page.items, page.next_cursor),
                failed,
            )

        def loaded(page: CustomerPage) -> None:
            model.set_rows(page.items, page.next_cursor)
            fit_columns(self.table, model)

        model.moreWanted.connect(more)
        self.call(lambda client: client.customers.list(tenant_id, text, PAGE_SIZE), loaded)
