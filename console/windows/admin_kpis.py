"""The superadmin's dashboard: totals over every tenant and one sortable row per tenant."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableView, QWidget

from comandia.console.context import AppContext
from comandia.console.formats import TenantFormat
from comandia.console.models.proxy import SearchSortProxy
from comandia.console.models.records import activity_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns
from comandia.console.windows.date_range import DateRangePicker
from comandia.console.windows.export import ExportButton
from comandia.shared.client import ApiClient
from comandia.shared.client.capabilities import ADMIN_KPIS
from comandia.shared.client.exports import ExportsApi
from comandia.shared.client.kpis import KpisApi
from comandia.shared.schemas.kpis import AdminReport, TenantActivity


class AdminKpisPage(Page):
    """Signals: inherited `message(str)`."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.picker = DateRangePicker(self.i18n, lambda: "UTC")
        self.picker.changed.connect(lambda _a, _b: self.reload())
        self.export = ExportButton(self, ("tenants",), self._fetch_export, lambda: "comandia")
        self.totals = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.picker)
        row.addStretch(1)
        row.addWidget(self.export)
        self.fmt = TenantFormat(language=self.i18n.language)
        self.model: RecordTableModel[TenantActivity] = RecordTableModel(activity_columns(self.i18n, self.fmt), self)
        self.proxy = SearchSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.body.addLayout(row)
        self.body.addWidget(self.totals)
        self.body.addWidget(self.table, 1)

    def _fetch_export(self, client: ApiClient, _dataset: str, fmt: str) -> bytes:
        first, last = self.picker.range()
        return ExportsApi(client.transport).tenants(fmt, first, last, period=self.picker.period())

    def reload(self) -> None:
        offered = self.ctx.connection.offers(ADMIN_KPIS)
        self.table.setEnabled(offered)
        self.export.setEnabled(offered)
        if not offered:
            self.say(self.i18n("main.not_offered"))
            return
        first, last = self.picker.range()
        period = self.picker.period()
        self.call(lambda client: self._load(client, first, last, period), self.show_report)

    @staticmethod
    def _load(client: ApiClient, first: dt.date, last: dt.date, period: str | None) -> AdminReport:
        """A preset (today, 7 days...) ends on each business's own today, not the computer's or UTC's."""
        if period is not None:
            return KpisApi(client.transport).admin_latest(period)
        return KpisApi(client.transport).admin(first, last)

    def show_report(self, report: AdminReport) -> None:
        self.say("")
        money = " + ".join(self.fmt.money_among(r.revenue, r.status) for r in report.revenue_by_currency) or "0"
        self.totals.setText(
            self.i18n(
                "admin.totals", tenants=report.tenants_count, orders=self.fmt.number(report.orders), revenue=money
            )
        )
        self.model.set_rows(report.tenants)
        fit_columns(self.table, self.model)
