"""Onboarding wizard (superadmin): create tenant → WhatsApp number → catalog → test chat → go-live.

The test-chat step talks to the tenant's real bot in a chat pane (`ChatPane`, through the
server's sandbox endpoint) and is done once that chat placed an order; a server without the
endpoint gets the `comandia-admin chat` instruction and a checkbox instead.

Each step can be left and resumed: progress is stored per tenant in QSettings
(`ConsoleSettings.onboarding`), and the "Resume" box lists the tenants with unfinished progress.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from comandia.console.context import AppContext
from comandia.console.formats import TenantFormat
from comandia.console.windows.base import Page
from comandia.console.windows.catalog_import import CatalogImportWindow
from comandia.console.windows.onboarding_steps import PROVIDERS, Checklist, check_go_live, connect_number
from comandia.console.windows.provision import ProvisionForm, provision
from comandia.console.windows.sandbox_chat import ChatPane
from comandia.shared.client.capabilities import NUMBERS, SANDBOX_CHAT
from comandia.shared.schemas.numbers import NumberInfo
from comandia.shared.schemas.sandbox import PlacedOrder
from comandia.shared.schemas.tenants import TenantInfo

STEPS = ("onb.step1", "onb.step2", "onb.step3", "onb.step4", "onb.step5")


class OnboardingPage(Page):
    """Signals:
    tenantCreated(object): step 1 created this `TenantInfo`.
    stepChanged(int): the wizard shows step n (0-based).
    ordersRequested(str): show the orders of this tenant (the test chat's link).
    """

    tenantCreated = Signal(object)
    stepChanged = Signal(int)
    ordersRequested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.tenant_id: str | None = None
        self.progress_data: dict[str, Any] = {}
        self.resume = QComboBox()
        self.resume.activated.connect(lambda _i: self.resume_tenant(self.resume.currentData()))
        self.steps = QListWidget()
        self.steps.addItems([tr(key) for key in STEPS])
        self.steps.setMaximumWidth(220)
        self.steps.currentRowChanged.connect(self.go_to)
        self.stack = QStackedWidget()
        self.form = ProvisionForm(tr)
        self.create_button = QPushButton(tr("provision.submit"))
        self.create_button.clicked.connect(self.create_tenant)
        self.stack.addWidget(self._column(self.form, self.create_button))
        self.provider = QComboBox()
        self.provider.addItems(PROVIDERS)
        self.e164, self.phone_id, self.token, self.api_key = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.number_note = QLabel()
        self.number_note.setWordWrap(True)
        self.connect_button = QPushButton(tr("onb.connect"))
        self.connect_button.clicked.connect(self.connect_whatsapp)
        numbers = QWidget()
        number_form = QFormLayout(numbers)
        for label, widget in (
            ("onb.provider", self.provider),
            ("onb.e164", self.e164),
            ("onb.phone_number_id", self.phone_id),
            ("onb.access_token", self.token),
            ("onb.api_key", self.api_key),
        ):
            number_form.addRow(tr(label), widget)
        self.stack.addWidget(self._column(numbers, self.connect_button, self.number_note))
        self.catalog_host = QVBoxLayout()
        catalog = QWidget()
        catalog.setLayout(self.catalog_host)
        self.importer: CatalogImportWindow | None = None
        self.stack.addWidget(catalog)
        self.chat_text = QLabel()
        self.chat_text.setWordWrap(True)
        self.chat_done = QCheckBox(tr("onb.chat_done"))
        self.chat_done.toggled.connect(lambda on: self.remember(chat_done=on))
        self.chat = ChatPane(tr, self.call)
        self.chat.orderPlaced.connect(self._chat_ordered)
        self.chat.ordersRequested.connect(self._open_orders)
        chat_step = QWidget()
        chat_column = QVBoxLayout(chat_step)
        chat_column.addWidget(self.chat_text)
        chat_column.addWidget(self.chat, 1)
        chat_column.addWidget(self.chat_done)
        self.stack.addWidget(chat_step)
        self.checks = QListWidget()
        self.verdict = QLabel()
        recheck = QPushButton(tr("common.refresh"))
        recheck.clicked.connect(self.check)
        self.stack.addWidget(self._column(self.checks, self.verdict, recheck))
        self.back_button, self.next_button = QPushButton(tr("onb.back")), QPushButton(tr("onb.next"))
        self.back_button.clicked.connect(lambda: self.go_to(self.stack.currentIndex() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.stack.currentIndex() + 1))
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("onb.resume")))
        top.addWidget(self.resume, 1)
        middle = QHBoxLayout()
        middle.addWidget(self.steps)
        middle.addWidget(self.stack, 1)
        nav = QHBoxLayout()
        nav.addStretch(1)
        nav.addWidget(self.back_button)
        nav.addWidget(self.next_button)
        self.body.addLayout(top)
        self.body.addLayout(middle, 1)
        self.body.addLayout(nav)
        self.go_to(0)

    @staticmethod
    def _column(*widgets: QWidget) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        for widget in widgets:
            layout.addWidget(widget)
        layout.addStretch(1)
        return holder

    def reload(self) -> None:
        names = {t.id: t.name for t in self.ctx.tenants}
        self.resume.clear()
        self.resume.addItem(self.i18n("onb.new"), None)
        for tenant_id in self.ctx.settings.onboarding_tenants():
            self.resume.addItem(names.get(tenant_id, tenant_id), tenant_id)

    # --- progress ------------------------------------------------------------------------
    def remember(self, **changes: Any) -> None:
        if self.tenant_id is None:
            return
        self.progress_data.update(changes)
        self.ctx.settings.save_onboarding(self.tenant_id, self.progress_data)

    def resume_tenant(self, tenant_id: str | None) -> None:
        """Continue the wizard of `tenant_id` at the step it was left on (None: start a new one)."""
        self.tenant_id = tenant_id
        self.progress_data = self.ctx.settings.onboarding(tenant_id) if tenant_id else {}
        self.chat_done.blockSignals(True)
        self.chat_done.setChecked(bool(self.progress_data.get("chat_done")))
        self.chat_done.blockSignals(False)
        self.go_to(int(self.progress_data.get("step", 1 if tenant_id else 0)))

    def go_to(self, step: int) -> None:
        if self.tenant_id is None:
            step = 0  # every later step needs the tenant
        step = max(0, min(step, len(STEPS) - 1))
        self.stack.setCurrentIndex(step)
        self.steps.blockSignals(True)
        self.steps.setCurrentRow(step)
        self.steps.blockSignals(False)
        self.back_button.setEnabled(step > 0)
        self.next_button.setEnabled(self.tenant_id is not None and step < len(STEPS) - 1)
        self.remember(step=step)
        self._enter(step)
        self.stepChanged.emit(step)

    def _enter(self, step: int) -> None:
        tenant = self.tenant_id or ""
        if step == 1:
            offered = self.ctx.connection.offers(NUMBERS)
            self.connect_button.setEnabled(offered)
            done = self.progress_data.get("number")
            self.number_note.setText(
                self.i18n("onb.connected", e164=done, path="")
                if done
                else ""
                if offered
                else self.i18n("onb.no_numbers_api", tenant=tenant)
            )
        elif step == 2 and self.tenant_id and (self.importer is None or self.importer.tenant_id != tenant):
            if self.importer is not None:
                self.importer.deleteLater()
            self.importer = CatalogImportWindow(self.ctx, tenant, None, embedded=True)
            self.importer.applied.connect(lambda _r: self.remember(catalog=True))
            self.catalog_host.addWidget(self.importer)
        elif step == 3:
            offered = self.ctx.connection.offers(SANDBOX_CHAT)
            self.chat.setVisible(offered)
            self.chat_text.setStyleSheet("" if offered else "font-family: monospace")  # the command to copy
            self.chat_text.setText(self.i18n("onb.chat_pane" if offered else "onb.chat_instruction", tenant=tenant))
            if offered:
                self.chat.set_tenant(tenant, self._format(tenant))
        elif step == 4:
            self.check()

    # --- steps ---------------------------------------------------------------------------
    def create_tenant(self) -> None:
        if not self.form.check():
            return
        form = self.form.value()
        self.create_button.setEnabled(False)

        def refused(error: Exception) -> None:
            self.create_button.setEnabled(True)
            self.say_error(error)

        self.call(lambda client: provision(client, form), self._created, refused)

    def _created(self, tenant: TenantInfo) -> None:
        self.create_button.setEnabled(True)
        self.say(self.i18n("onb.created", name=tenant.name))
        self.tenant_id, self.progress_data = tenant.id, {"step": 0, "name": tenant.name}
        self.remember()
        self.tenantCreated.emit(tenant)
        self.go_to(1)

    def connect_whatsapp(self) -> None:
        if self.tenant_id is None:
            return
        tenant_id, provider, e164 = self.tenant_id, self.provider.currentText(), self.e164.text().strip()
        secrets = {
            "phone_number_id": self.phone_id.text().strip(),
            "access_token": self.token.text(),
            "api_key": self.api_key.text(),
        }
        self.call(
            lambda client: connect_number(client, tenant_id, provider, e164, secrets), self._connected, self.say_error
        )

    def _connected(self, number: NumberInfo) -> None:
        self.remember(number=number.e164)
        self.number_note.setText(self.i18n("onb.connected", e164=number.e164, path=number.webhook_path))

    def _format(self, tenant_id: str) -> TenantFormat:
        tenant = next((t for t in self.ctx.tenants if t.id == tenant_id), None)
        if tenant is None:
            return TenantFormat(language=self.i18n.language)
        return TenantFormat(tenant.timezone, tenant.currency, self.i18n.language, tenant.country_locale)

    def _open_orders(self) -> None:
        if self.tenant_id is not None:
            self.ordersRequested.emit(self.tenant_id)

    def _chat_ordered(self, order: PlacedOrder) -> None:
        """The test chat placed a real order: the step is done."""
        self.remember(chat_order=order.number)
        self.chat_done.setChecked(True)
        self.say(self.i18n("onb.chat_ordered", number=order.number))

    def check(self) -> None:
        if self.tenant_id is None:
            return
        tenant_id, numbers, chat = self.tenant_id, self.ctx.connection.offers(NUMBERS), self.chat_done.isChecked()
        self.call(lambda client: check_go_live(client, tenant_id, numbers, chat), self.show_checklist)

    def show_checklist(self, checklist: Checklist) -> None:
        self.checks.clear()
        marks = {True: "✔", False: "✘", None: "?"}
        for key, ok in (
            ("onb.check_tenant", checklist.tenant_active),
            ("onb.check_number", checklist.number_connected),
            ("onb.check_catalog", checklist.catalog_ready),
            ("onb.check_manager", checklist.manager_exists),
            ("onb.check_chat", checklist.chat_tested),
        ):
            self.checks.addItem(f"{marks[ok]}  {self.i18n(key)}")
        missing = ", ".join(self.i18n(key) for key in checklist.missing())
        self.verdict.setText(self.i18n("onb.live") if checklist.ready else self.i18n("onb.missing", items=missing))
