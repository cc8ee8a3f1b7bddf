"""Audit log (superadmin): who did what to which tenant, newest first, filtered and paged as you scroll."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import QDate
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
from comandia.console.formats import TenantFormat
from comandia.console.models.records import audit_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns, set_date_format
from comandia.shared.client.capabilities import AUDIT
from comandia.shared.domain.times import to_local, utcnow
from comandia.shared.schemas.audit import AuditEntryInfo, AuditPage, AuditQuery


class AuditLogPage(Page):
    """Signals: inherited `message(str)`."""

    page_size = 200

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.tenant = QComboBox()
        self.tenant.setMinimumWidth(200)
        self.actor = QLineEdit()
        self.actor.setPlaceholderText(tr("audit.actor_filter"))
        self.action = QLineEdit()
        self.action.setPlaceholderText(tr("audit.action_filter"))
        self.use_dates = QCheckBox(tr("orders.from"))
        self.first_day, self.last_day = QDateEdit(), QDateEdit()
        for edit in (self.first_day, self.last_day):
            edit.setCalendarPopup(True)
            set_date_format(edit, tr.language)
        # Times and days are the appliance's (the log spans every tenant's zone); the server names
        # its zone with each page, UTC until the first one arrives.
        self.fmt = TenantFormat(language=tr.language)
        self.zone = QLabel()
        self._show_days_of_today()
        refresh = QPushButton(tr("common.refresh"))
        refresh.clicked.connect(self.reload)
        self.actor.returnPressed.connect(self.reload)
        self.action.returnPressed.connect(self.reload)
        self.tenant.activated.connect(lambda _i: self.reload())
        filters = QHBoxLayout()
        for widget in (
            self.tenant,
            self.actor,
            self.action,
            self.use_dates,
            self.first_day,
            QLabel(tr("orders.to")),
            self.last_day,
            refresh,
        ):
            filters.addWidget(widget)
        self.model: RecordTableModel[AuditEntryInfo] = RecordTableModel([], self)
        self.table = QTableView()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setModel(self.model)
        self.body.addLayout(filters)
        self.body.addWidget(self.zone)
        self.body.addWidget(self.table, 1)
        self._generation = 0

    def current_query(self) -> AuditQuery:
        dates = self.use_dates.isChecked()
        return AuditQuery(
            tenant_id=self.tenant.currentData() or None,
            actor=self.actor.text().strip() or None,
            action=self.action.text().strip() or None,
            first_day=self.first_day.date().toPython() if dates else None,  # type: ignore[arg-type]
            last_day=self.last_day.date().toPython() if dates else None,  # type: ignore[arg-type]
            limit=self.page_size,
        )

    def _fill_tenants(self) -> None:
        chosen = self.tenant.currentData()
        self.tenant.clear()
        self.tenant.addItem(self.i18n("audit.all_tenants"), None)
        for tenant in self.ctx.tenants:
            self.tenant.addItem(tenant.name, tenant.id)
        self.tenant.setCurrentIndex(max(0, self.tenant.findData(chosen)) if chosen else 0)

    def reload(self) -> None:
        offered = self.ctx.connection.offers(AUDIT)
        self.table.setEnabled(offered)
        if not offered:
            self.say(self.i18n("main.not_offered"))
            return
        if self.tenant.count() != len(self.ctx.tenants) + 1:
            self._fill_tenants()
        # A new model per query: a late page of the previous query cannot land in this one.
        self._generation += 1
        generation, query = self._generation, self.current_query()
        names = {t.id: t.name for t in self.ctx.tenants}
        currencies = {t.id: t.currency for t in self.ctx.tenants}
        columns = audit_columns(self.i18n, self.fmt, names, currencies)
        model: RecordTableModel[AuditEntryInfo] = RecordTableModel(columns, self)
        model.moreWanted.connect(lambda cursor: self._more(model, query, cursor))
        self.table.setModel(model)
        old, self.model = self.model, model
        old.deleteLater()

        def loaded(page: AuditPage) -> None:
            if generation != self._generation:
                return
            if page.timezone != self.fmt.timezone:
                # The first page names the appliance's zone: this model's columns show UTC times,
                # so ask again with columns (and today's days) in that zone.
                self._use_zone(page.timezone)
                self.reload()
                return
            self.say("")
            model.set_rows(page.items, page.next_cursor)
            fit_columns(self.table, model)

        self.call(lambda client: client.audit.list(query), loaded)

    def _use_zone(self, zone: str) -> None:
        self.fmt = replace(self.fmt, timezone=zone)
        if not self.use_dates.isChecked():  # days the user chose stay as chosen
            self._show_days_of_today()

    def _show_days_of_today(self) -> None:
        """The last 30 days up to today in the appliance's zone (not the computer's)."""
        today = to_local(utcnow(), self.fmt.timezone).date()
        self.first_day.setDate(QDate(today - dt.timedelta(days=30)))
        self.last_day.setDate(QDate(today))
        self.zone.setText(self.i18n("audit.zone", zone=self.fmt.timezone))

    def _more(self, model: RecordTableModel[AuditEntryInfo], query: AuditQuery, cursor: str) -> None:
        def failed(error: Exception) -> None:
            model.page_failed()
            self.say_error(error)

        self.call(
            lambda client: client.audit.list(replace(query, cursor=cursor)),
            lambda page: model.append_page(page.items, page.next_cursor),
            failed,
        )
