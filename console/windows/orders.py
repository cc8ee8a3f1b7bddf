"""Orders of the current tenant: filters, paged table, new orders polled every 10 s, detail on double-click."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from comandia.console.context import AppContext
from comandia.console.models.records import order_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns, set_date_format
from comandia.console.windows.order_detail import OrderDetailWindow
from comandia.shared.client import ApiClient
from comandia.shared.domain.orders import OrderStatus
from comandia.shared.domain.times import to_local, utcnow
from comandia.shared.schemas.orders import OrderPage, OrderSummary

PAGE_SIZE = 200
POLL_MS = 10_000


@dataclass(frozen=True)
class OrderFilter:
    statuses: tuple[str, ...] = ()
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    customer_id: int | None = None
    text: str | None = None

    def fetch(self, client: ApiClient, tenant_id: str, cursor: str | None = None) -> OrderPage:
        return client.orders.list(
            tenant_id,
            self.statuses,
            self.customer_id,
            self.first_day,
            self.last_day,
            self.text,
            "-created_at",
            PAGE_SIZE,
            cursor,
        )


class OrdersPage(Page):
    """The order list.

    Signals: inherited `message(str)` (new orders arrived).
    """

    needs_tenant = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.status = QComboBox()
        self.status.addItem(tr("common.all"), "")
        for status in OrderStatus:
            self.status.addItem(tr(f"status.{status.value}"), status.value)
        self.use_dates = QCheckBox(tr("orders.from"))
        self.first_day, self.last_day = QDateEdit(), QDateEdit()
        self._dates_zone: str | None = None
        self._default_dates()
        for edit in (self.first_day, self.last_day):
            edit.setCalendarPopup(True)
            set_date_format(edit, tr.language)
        self.customer = QLineEdit()
        self.customer.setPlaceholderText(tr("orders.customer_id"))
        self.customer.setMaximumWidth(110)
        self.text = QLineEdit()
        self.text.setPlaceholderText(tr("common.search"))
        apply_button = QPushButton(tr("common.refresh"))
        filters = QHBoxLayout()
        for widget in (
            self.status,
            self.use_dates,
            self.first_day,
            QLabel(tr("orders.to")),
            self.last_day,
            self.customer,
            self.text,
            apply_button,
        ):
            filters.addWidget(widget)
        self.body.addLayout(filters)
        self.model: RecordTableModel[OrderSummary] = RecordTableModel([], self)
        self.table = QTableView()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.doubleClicked.connect(lambda index: self.open_detail(index.row()))
        self.body.addWidget(self.table)
        apply_button.clicked.connect(self.reload)
        self.text.returnPressed.connect(self.reload)
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self.check_new)
        self.details: list[OrderDetailWindow] = []
        self._generation = 0

    def current_filter(self) -> OrderFilter:
        status = self.status.currentData()
        customer = self.customer.text().strip()
        dates = self.use_dates.isChecked()
        return OrderFilter(
            statuses=(status,) if status else (),
            first_day=self.first_day.date().toPython() if dates else None,  # type: ignore[arg-type]
            last_day=self.last_day.date().toPython() if dates else None,  # type: ignore[arg-type]
            customer_id=int(customer) if customer.isdigit() else None,
            text=self.text.text().strip() or None,
        )

    def _default_dates(self) -> None:
        """Dates for the tenant's last 30 days, ending on its today in its own time zone: the
        computer's (often UTC) day is already tomorrow in the Americas every evening. Set again when
        the tenant's zone changes, unless the manager is filtering by dates."""
        zone = self.ctx.tenant.timezone if self.ctx.tenant is not None else "UTC"
        if zone == self._dates_zone or self.use_dates.isChecked():
            return
        self._dates_zone = zone
        today = QDate(to_local(utcnow(), zone).date())
        self.first_day.setDate(today.addDays(-30))
        self.last_day.setDate(today)

    def reload(self) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        self._default_dates()
        # A new model per query: a late page of the previous query cannot land in this one.
        self._generation += 1
        generation, query, tenant_id = self._generation, self.current_filter(), tenant.id
        model: RecordTableModel[OrderSummary] = RecordTableModel(order_columns(self.i18n, self.ctx.fmt), self)
        model.moreWanted.connect(lambda cursor: self._more(model, query, tenant_id, cursor))
        self.table.setModel(model)
        old, self.model = self.model, model
        old.deleteLater()

        def loaded(page: OrderPage) -> None:
            if generation == self._generation:
                model.set_rows(page.items, page.next_cursor)
                fit_columns(self.table, model)
                self.poll.start()

        self.call(lambda client: query.fetch(client, tenant_id), loaded)

    def _more(self, model: RecordTableModel[OrderSummary], query: OrderFilter, tenant_id: str, cursor: str) -> None:
        def failed(error: Exception) -> None:
            model.page_failed()
            self.say_error(error)

        self.call(
            lambda client: query.fetch(client, tenant_id, cursor),
            lambda page: model.append_page(page.items, page.next_cursor),
            failed,
        )

    def check_new(self) -> None:
        """Poll: put orders that appeared since the list was loaded on top; refresh changed ones."""
        tenant = self.ctx.tenant
        if tenant is None or not self.isVisible():
            return
        model, query, tenant_id = self.model, self.current_filter(), tenant.id
        self.call(
            lambda client: query.fetch(client, tenant_id), lambda page: self._merge(model, page), lambda _error: None
        )  # a failed poll is retried by the next tick

    def _merge(self, model: RecordTableModel[OrderSummary], page: OrderPage) -> None:
        if model is not self.model:
            return
        rows = {order.id: row for row, order in enumerate(model.records())}
        fresh = [order for order in page.items if order.id not in rows]
        for order in page.items:
            row = rows.get(order.id)
            if row is not None and model.record(row).version != order.version:
                model.replace(row, order)
        if fresh:
            model.prepend(fresh)
            self.message.emit(self.i18n("orders.new_arrived", count=len(fresh)))

    def open_detail(self, row: int) -> OrderDetailWindow | None:
        tenant = self.ctx.tenant
        if tenant is None:
            return None
        order = self.model.record(row)
        window = OrderDetailWindow(self.ctx, tenant.id, order.id, self)
        window.changed.connect(self.check_new)
        self.details.append(window)
        window.show()
        return window
