"""Provision a tenant (superadmin): name, time zone, currency, language, first manager login.

Each field is checked as it is typed (a red line under it); the server's own verdict, if it
still refuses, is shown under the field it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from comandia.console.context import AppContext
from comandia.console.errors import field_problems
from comandia.console.i18n import Translator
from comandia.console.windows.base import Page
from comandia.shared.client import ApiClient
from comandia.shared.domain.locales import TENANT_LOCALES, country_name, currency_of, language_of, zone_of
from comandia.shared.domain.money import is_currency
from comandia.shared.domain.tenants import TENANT_NAME_MAX, is_tenant_name
from comandia.shared.domain.times import is_timezone
from comandia.shared.schemas.tenants import Locale, TenantInfo

LOGIN = re.compile(r"[A-Za-z0-9._-]{3,40}")
ZONES = (
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Argentina/Buenos_Aires",
    "America/Santiago",
    "America/Sao_Paulo",
    "Europe/Madrid",
    "UTC",
)
CURRENCIES = ("MXN", "COP", "PEN", "ARS", "CLP", "BRL", "EUR", "USD")


@dataclass(frozen=True)
class NewTenantForm:
    name: str
    timezone: str
    currency: str
    locale: str
    manager: str
    password: str
    country_locale: str = "es_MX"

    def problems(self, tr: Translator) -> dict[str, str]:
        """Field -> problem, checked here before asking the server (empty when all is well)."""
        found: dict[str, str] = {}
        if not is_tenant_name(self.name):  # the server's own rule: never refuse what it accepts
            found["name"] = tr("provision.need_name", n=TENANT_NAME_MAX)
        if not is_timezone(self.timezone):
            found["timezone"] = tr("provision.bad_timezone")
        if not is_currency(self.currency):
            found["currency"] = tr("provision.bad_currency")
        if not LOGIN.fullmatch(self.manager):
            found["manager"] = tr("provision.bad_login")
        if len(self.password) < 8:
            found["password"] = tr("provision.bad_password")
        return found


def provision(client: ApiClient, form: NewTenantForm) -> TenantInfo:
    """Background part: create the tenant, then its first manager."""
    locale: Locale = "en" if form.locale == "en" else "es"
    tenant = client.tenants.create(
        form.name.strip(), form.timezone, form.currency, locale, country_locale=form.country_locale
    )
    client.users.create(form.manager, form.password, "manager", tenant.id)
    return tenant


class ProvisionForm(QWidget):
    """The fields and their inline problems; shared by this page and the onboarding wizard.

    Signals:
        changed(): any field changed (problems are re-checked).
    """

    changed = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.i18n = tr
        self.name = QLineEdit()
        self.country = QComboBox()
        for tag in TENANT_LOCALES:
            self.country.addItem(f"{country_name(tag, tr.language)} ({tag})", tag)
        self.country.currentIndexChanged.connect(self._country_chosen)
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(ZONES)
        self.currency = QComboBox()
        self.currency.setEditable(True)
        self.currency.addItems(CURRENCIES)
        self.language = QComboBox()
        self.language.addItems(["es", "en"])
        self.manager = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.hints: dict[str, QLabel] = {}
        layout = QFormLayout(self)
        rows = (
            ("name", "provision.name", self.name),
            ("country_locale", "provision.country", self.country),
            ("timezone", "provision.timezone", self.timezone),
            ("currency", "provision.currency", self.currency),
            ("locale", "provision.language", self.language),
            ("manager", "provision.manager", self.manager),
            ("password", "provision.manager_password", self.password),
        )
        for key, label, widget in rows:
            hint = QLabel()
            hint.setObjectName("error")  # red in the theme
            hint.hide()
            self.hints[key] = hint
            layout.addRow(tr(label), widget)
            layout.addRow("", hint)
        for line in (self.name, self.manager, self.password):
            line.textChanged.connect(self.check)
        for box in (self.timezone, self.currency):
            box.currentTextChanged.connect(self.check)

    def value(self) -> NewTenantForm:
        return NewTenantForm(
            self.name.text(),
            self.timezone.currentText().strip(),
            self.currency.currentText().strip().upper(),
            self.language.currentText(),
            self.manager.text().strip(),
            self.password.text(),
            str(self.country.currentData() or "es_MX"),
        )

    def _country_chosen(self) -> None:
        """A country brings its time zone, currency and language; each can still be changed."""
        tag = str(self.country.currentData() or "es_MX")
        self.timezone.setCurrentText(zone_of(tag))
        self.currency.setCurrentText(currency_of(tag))
        self.language.setCurrentText(language_of(tag))

    def check(self) -> bool:
        """Show the problems of the fields typed so far; True when the whole form is valid."""
        problems = self.value().problems(self.i18n)
        touched = {"name": self.name.text(), "manager": self.manager.text(), "password": self.password.text()}
        for key, hint in self.hints.items():
            text = problems.get(key, "") if touched.get(key, "x") else ""
            hint.setText(text)
            hint.setVisible(bool(text))
        self.changed.emit()
        return not problems

    def show_server_problems(self, fields: dict[str, str]) -> None:
        for key, problem in fields.items():
            hint = self.hints.get("manager" if key in ("username",) else key)
            if hint is not None:
                hint.setText(problem)
                hint.show()


class ProvisionPage(Page):
    """Create a tenant and its manager.

    Signals:
        provisioned(object): the new `TenantInfo`.
    """

    provisioned = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.form = ProvisionForm(self.i18n)
        self.submit = QPushButton(self.i18n("provision.submit"))
        self.submit.setEnabled(False)
        self.form.changed.connect(lambda: self.submit.setEnabled(not self.form.value().problems(self.i18n)))
        self.submit.clicked.connect(self.create_tenant)
        self.body.addWidget(self.form)
        self.body.addWidget(self.submit)
        self.body.addStretch(1)

    def create_tenant(self) -> None:
        if not self.form.check():
            return
        form = self.form.value()
        self.submit.setEnabled(False)
        self.call(lambda client: provision(client, form), self._created, self._refused)

    def _created(self, tenant: TenantInfo) -> None:
        self.say(self.i18n("provision.created", name=tenant.name))
        self.form.name.clear()
        self.form.manager.clear()
        self.form.password.clear()
        self.provisioned.emit(tenant)

    def _refused(self, error: Exception) -> None:
        self.submit.setEnabled(True)
        self.say_error(error)
        self.form.show_server_problems(field_problems(error))
