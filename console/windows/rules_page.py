"""The business rules of the current tenant ("Reglas del negocio"): hours, pause, delivery and
zones, minimum order, payment, new-order alerts, FAQ and the chat limits, every key of
`shared/schemas/rules.RULE_KEYS` ([business-rules.md](../../docs/business-rules.md)).

The form is read from `GET /settings`; **Save** sends one `PATCH` naming only the keys that changed
(`console/rules_form.py`). What the server refuses is listed under the form, each problem with its
field, in the console's language. A viewer sees the rules read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from comandia.console import rules_form as form
from comandia.console.context import AppContext
from comandia.console.errors import field_problems, user_message
from comandia.console.windows.base import Page
from comandia.shared.client import ApiClient
from comandia.shared.schemas.rules import PAYMENT_KINDS, WEEKDAYS
from comandia.shared.schemas.tenants import TenantSettings, TenantSettingsChange

PLAIN_KEYS = ("paused_message", "pickup_address", "handoff_template", "handoff_template_language")


class RowsTable(QWidget):
    """A table of text rows with *Add row* and *Remove row* (a payment table's first column is a kind)."""

    def __init__(self, tr: Callable[..., str], columns: tuple[str, ...], kinds: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.columns, self.kinds, self.texts = columns, kinds, tr
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels([tr(f"rules.col.{c}") for c in columns])
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, name in enumerate(columns):  # what people type at length gets the room
            self.table.setColumnWidth(column, 240 if name in ("cities", "details", "question") else 120)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_button = QPushButton(tr("rules.add_row"))
        self.remove_button = QPushButton(tr("rules.remove_row"))
        self.add_button.clicked.connect(lambda: self.add_row({}))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_row(self, texts: dict[str, str]) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, name in enumerate(self.columns):
            if column == 0 and self.kinds:
                box = QComboBox()
                for kind in self.kinds:
                    box.addItem(self.texts(f"rules.payment.{kind}"), kind)
                box.setCurrentIndex(max(0, box.findData(texts.get(name, self.kinds[0]))))
                self.table.setCellWidget(row, column, box)
            else:
                self.table.setItem(row, column, QTableWidgetItem(texts.get(name, "")))
        return row

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows or ([self.table.rowCount() - 1] if self.table.rowCount() else []):
            self.table.removeRow(row)

    def set_rows(self, rows: list[dict[str, str]]) -> None:
        self.table.setRowCount(0)
        for texts in rows:
            self.add_row(texts)

    def rows(self) -> list[dict[str, str]]:
        found = []
        for row in range(self.table.rowCount()):
            texts = {}
            for column, name in enumerate(self.columns):
                box = self.table.cellWidget(row, column)
                item = self.table.item(row, column)
                texts[name] = (
                    box.currentData() if isinstance(box, QComboBox) else item.text() if item is not None else ""
                )
            found.append(texts)
        return found

    def set_read_only(self, read_only: bool) -> None:
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers if read_only else QAbstractItemView.EditTrigger.AllEditTriggers
        )
        for row in range(self.table.rowCount()):
            box = self.table.cellWidget(row, 0)
            if box is not None:
                box.setEnabled(not read_only)
        self.add_button.setVisible(not read_only)
        self.remove_button.setVisible(not read_only)


def _hint(text: str) -> QLabel:
    """A wrapped explanation line (a long one must not widen the form past the window)."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _spin(low: int, high: int, none_text: str = "") -> QSpinBox:
    """A spin box; with `none_text`, its lowest value means "none" (None)."""
    box = QSpinBox()
    box.setRange(low, high)
    if none_text:
        box.setSpecialValueText(none_text)
    return box


class RulesPage(Page):
    """Signals: inherited `message(str)`."""

    needs_tenant = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.stored: TenantSettings | None = None
        self.stored_for = ""  # the tenant `stored` belongs to: a save never diffs against another's
        # Hours
        self.always_open = QCheckBox(tr("rules.always_open"))
        self.days = {day: QLineEdit() for day in WEEKDAYS}
        for edit in self.days.values():
            edit.setPlaceholderText(tr("rules.day_hint"))
        self.always_open.toggled.connect(self._days_enabled)
        self.closed_days = QPlainTextEdit()
        self.closed_days.setPlaceholderText(tr("rules.closed_days_hint"))
        self.closed_days.setMaximumHeight(80)
        self.orders_paused = QCheckBox(tr("rules.orders_paused"))
        self.paused_message = QLineEdit()
        self.paused_message.setPlaceholderText(tr("pause.message"))
        self.after_hours = QComboBox()
        for value in ("take_for_later", "menu_only"):
            self.after_hours.addItem(tr(f"rules.after_hours.{value}"), value)
        hours = QFormLayout()
        hours.addRow(self.always_open)
        for day, edit in self.days.items():
            hours.addRow(tr(f"rules.day.{day}"), edit)
        hours.addRow(tr("rules.closed_days"), self.closed_days)
        hours.addRow(tr("rules.after_hours"), self.after_hours)
        hours.addRow(self.orders_paused)
        hours.addRow(tr("rules.paused_message"), self.paused_message)
        # Delivery
        self.fulfilment = QComboBox()
        for value in ("delivery", "pickup", "both"):
            self.fulfilment.addItem(tr(f"rules.fulfilment.{value}"), value)
        self.pickup_address = QLineEdit()
        self.latitude, self.longitude = QLineEdit(), QLineEdit()
        self.latitude.setPlaceholderText(tr("rules.latitude"))
        self.longitude.setPlaceholderText(tr("rules.longitude"))
        location = QHBoxLayout()
        location.addWidget(self.latitude)
        location.addWidget(self.longitude)
        self.zones = RowsTable(tr, form.ZONE_COLUMNS)
        self.minimum_order = QLineEdit()
        self.eta_minutes = _spin(0, 1440, tr("rules.none"))
        delivery = QFormLayout()
        delivery.addRow(tr("rules.fulfilment"), self.fulfilment)
        delivery.addRow(tr("rules.pickup_address"), self.pickup_address)
        delivery.addRow(tr("rules.business_location"), location)
        delivery.addRow(_hint(tr("rules.zones_hint")))
        delivery.addRow(self.zones)
        delivery.addRow(tr("rules.minimum_order"), self.minimum_order)
        delivery.addRow(tr("rules.eta_minutes"), self.eta_minutes)
        # Payment and alerts
        self.payments = RowsTable(tr, ("kind", "details"), PAYMENT_KINDS)
        self.order_alerts = QPlainTextEdit()
        self.order_alerts.setPlaceholderText(tr("rules.order_alerts_hint"))
        self.order_alerts.setMaximumHeight(90)
        payment = QFormLayout()
        payment.addRow(_hint(tr("rules.payment_hint")))
        payment.addRow(self.payments)
        payment.addRow(tr("rules.order_alerts"), self.order_alerts)
        # Chat
        self.faq = RowsTable(tr, ("question", "answer"))
        self.customer_cancel_minutes = _spin(-1, 10080, tr("rules.no_limit"))
        self.handoff_idle_minutes = _spin(1, 10080)
        self.handoff_template = QLineEdit()
        self.handoff_template_language = QLineEdit()
        self.handoff_template_language.setPlaceholderText(tr("rules.template_language_hint"))
        self.media_retention_days = _spin(1, 3650)
        chat = QFormLayout()
        chat.addRow(_hint(tr("rules.faq")))
        chat.addRow(self.faq)
        chat.addRow(tr("rules.customer_cancel_minutes"), self.customer_cancel_minutes)
        chat.addRow(tr("rules.handoff_idle_minutes"), self.handoff_idle_minutes)
        chat.addRow(tr("rules.handoff_template"), self.handoff_template)
        chat.addRow(tr("rules.handoff_template_language"), self.handoff_template_language)
        chat.addRow(tr("rules.media_retention_days"), self.media_retention_days)
        self.tabs = QTabWidget()
        for key, layout in (("hours", hours), ("delivery", delivery), ("payment", payment), ("chat", chat)):
            inner = QWidget()
            inner.setLayout(layout)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(inner)
            self.tabs.addTab(scroll, tr(f"rules.tab.{key}"))
        self.problems = QLabel()
        self.problems.setObjectName("error")  # red in the theme
        self.problems.setWordWrap(True)
        self.problems.hide()
        self.read_only_note = QLabel(tr("rules.read_only"))
        self.read_only_note.hide()
        self.save_button = QPushButton(tr("rules.save"))
        self.save_button.setProperty("primary", True)  # the accent colour in the theme
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(tr("rules.revert"))
        self.revert_button.clicked.connect(self.reload)
        bottom = QHBoxLayout()
        bottom.addWidget(self.read_only_note, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        self.body.addWidget(self.tabs, 1)
        self.body.addWidget(self.problems)
        self.body.addLayout(bottom)

    def _days_enabled(self, always_open: bool) -> None:
        for edit in self.days.values():
            edit.setEnabled(not always_open)

    # --- reading ---------------------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        user = self.ctx.connection.user
        return user is None or user.role == "viewer"

    def reload(self) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        tenant_id = tenant.id
        self.stored = None
        self.call(
            lambda client: client.tenants.settings(tenant_id), lambda settings: self.show_settings(settings, tenant_id)
        )

    def show_settings(self, settings: TenantSettings, tenant_id: str) -> None:
        """Fill the form with `settings` of `tenant_id` (what the server holds now); forget past problems."""
        self.stored, self.stored_for = settings, tenant_id
        self.show_problems([])
        hours = settings.opening_hours
        self.always_open.setChecked(hours is None)
        for index, edit in enumerate(self.days.values()):
            edit.setText(form.day_text(hours.day(index)) if hours is not None else "")
            edit.setEnabled(hours is not None)
        self.closed_days.setPlainText("\n".join(d.isoformat() for d in settings.closed_days))
        self.orders_paused.setChecked(settings.orders_paused)
        self.paused_message.setText(settings.paused_message)
        self.after_hours.setCurrentIndex(self.after_hours.findData(settings.after_hours))
        self.fulfilment.setCurrentIndex(self.fulfilment.findData(settings.fulfilment))
        self.pickup_address.setText(settings.pickup_address)
        where = settings.business_location
        self.latitude.setText(form.number_text(None if where is None else where.latitude))
        self.longitude.setText(form.number_text(None if where is None else where.longitude))
        self.zones.set_rows([form.zone_row(z) for z in settings.delivery_zones])
        self.minimum_order.setText(str(settings.minimum_order))
        self.eta_minutes.setValue(settings.eta_minutes or 0)
        self.payments.set_rows([{"kind": m.kind, "details": m.details} for m in settings.payment_methods])
        self.order_alerts.setPlainText("\n".join(settings.order_alerts))
        self.faq.set_rows([{"question": f.question, "answer": f.answer} for f in settings.faq])
        cancel = settings.customer_cancel_minutes
        self.customer_cancel_minutes.setValue(-1 if cancel is None else cancel)
        self.handoff_idle_minutes.setValue(settings.handoff_idle_minutes)
        self.handoff_template.setText(settings.handoff_template)
        self.handoff_template_language.setText(settings.handoff_template_language)
        self.media_retention_days.setValue(settings.media_retention_days)
        self._lock(self.read_only)

    def _lock(self, read_only: bool) -> None:
        for edit in [
            *self.days.values(),
            self.paused_message,
            self.pickup_address,
            self.latitude,
            self.longitude,
            self.minimum_order,
            self.handoff_template,
            self.handoff_template_language,
        ]:
            edit.setReadOnly(read_only)
        for text in (self.closed_days, self.order_alerts):
            text.setReadOnly(read_only)
        for widget in (
            self.always_open,
            self.orders_paused,
            self.after_hours,
            self.fulfilment,
            self.eta_minutes,
            self.customer_cancel_minutes,
            self.handoff_idle_minutes,
            self.media_retention_days,
        ):
            widget.setEnabled(not read_only)
        for table in (self.zones, self.payments, self.faq):
            table.set_read_only(read_only)
        self.save_button.setVisible(not read_only)
        self.revert_button.setVisible(not read_only)
        self.read_only_note.setVisible(read_only)

    def values(self) -> dict[str, Any]:
        """Every rule key as the form has it. Raises: form.FormProblem for a field that means nothing."""
        eta, cancel = self.eta_minutes.value(), self.customer_cancel_minutes.value()
        values: dict[str, Any] = {
            "opening_hours": form.hours_of({d: e.text() for d, e in self.days.items()}, self.always_open.isChecked()),
            "closed_days": form.parse_dates(self.closed_days.toPlainText()),
            "orders_paused": self.orders_paused.isChecked(),
            "after_hours": self.after_hours.currentData(),
            "fulfilment": self.fulfilment.currentData(),
            "business_location": form.parse_location(self.latitude.text(), self.longitude.text()),
            "delivery_zones": tuple(form.parse_zone(row, i) for i, row in enumerate(self.zones.rows())),
            "minimum_order": form.parse_amount(self.minimum_order.text(), "minimum_order"),
            "eta_minutes": eta or None,
            "payment_methods": tuple(form.parse_payment(r["kind"], r["details"]) for r in self.payments.rows()),
            "order_alerts": form.lines(self.order_alerts.toPlainText()),
            "faq": tuple(form.parse_faq(r["question"], r["answer"]) for r in self.faq.rows()),
            "customer_cancel_minutes": None if cancel < 0 else cancel,
            "handoff_idle_minutes": self.handoff_idle_minutes.value(),
            "media_retention_days": self.media_retention_days.value(),
        }
        for key in PLAIN_KEYS:
            values[key] = getattr(self, key).text().strip()
        return values

    # --- saving ----------------------------------------------------------------------------------
    def save(self) -> None:
        """Send the keys that changed; the server's refusal is listed under the form."""
        tenant, stored = self.ctx.tenant, self.stored
        if tenant is None or stored is None or self.stored_for != tenant.id or self.read_only:
            return
        try:
            change = form.change_of(stored, self.values())
        except form.FormProblem as problem:
            self.show_problems([(problem.field, self.i18n(problem.key))])
            return
        if change is None:
            self.show_problems([])
            self.message.emit(self.i18n("rules.unchanged"))
            return
        self.send(tenant.id, change)

    def send(self, tenant_id: str, change: TenantSettingsChange) -> None:
        self.save_button.setEnabled(False)

        def saved(settings: TenantSettings) -> None:
            self.show_settings(settings, tenant_id)
            self.message.emit(self.i18n("rules.saved"))

        def refused(error: Exception) -> None:
            problems = field_problems(error)
            self.show_problems(list(problems.items()), user_message(error, self.i18n))

        def work(client: ApiClient) -> TenantSettings:
            return client.tenants.change_settings(tenant_id, change)

        self.call(work, saved, refused, on_settled=lambda: self.save_button.setEnabled(True))

    def show_problems(self, problems: list[tuple[str, str]], heading: str = "") -> None:
        """`heading` and one line a problem: the rule's name, its field path and what is wrong."""
        tr = self.i18n
        lines = [heading] if heading else []
        if problems and not heading:
            lines.append(tr("error.validation"))
        lines += [f"• {tr(f'rules.key.{form.problem_key(field)}')} ({field}): {problem}" for field, problem in problems]
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))
