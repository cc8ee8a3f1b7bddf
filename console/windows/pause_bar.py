"""The order board's strip of business rules: "pause orders now" with its message, and the new-order
alerts that failed (so a manager sees that the kitchen phone or the e-mail was not told).

`PauseBar` belongs to a `Page` (the board) and runs its calls through the page's task runner: the
switch saves `orders_paused` and `paused_message` with one settings `PATCH`; the alerts are the
tenant's latest (`GET /order-alerts`), of which the failed ones are named with their reason.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from comandia.console.windows.base import Page
from comandia.shared.client import ApiClient
from comandia.shared.schemas.rules import OrderAlertList
from comandia.shared.schemas.tenants import TenantSettings, TenantSettingsChange

SHOWN_FAILURES = 3


class PauseBar(QWidget):
    """A switch that pauses orders (with the message customers read) and a line of failed alerts."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.page = page
        tr = page.i18n
        self.switch = QCheckBox(tr("pause.switch"))
        self.switch.setObjectName("pauseSwitch")
        self.message = QLineEdit()
        self.message.setPlaceholderText(tr("pause.message"))
        self.message.setMaxLength(1000)
        self.failures = QLabel()
        self.failures.setObjectName("alertFailures")
        self.failures.setWordWrap(True)
        self.failures.hide()
        row = QHBoxLayout()
        row.addWidget(self.switch)
        row.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.failures)
        self.switch.clicked.connect(self.save)
        self._loading = False

    def reload(self) -> None:
        """Read the pause and the latest alerts of the page's tenant."""
        tenant = self.page.ctx.tenant
        if tenant is None:
            return
        tenant_id = tenant.id

        def fetch(client: ApiClient) -> tuple[TenantSettings, OrderAlertList]:
            return client.tenants.settings(tenant_id), client.tenants.order_alerts(tenant_id, limit=20)

        self.page.call(fetch, lambda result: self.show_state(*result))

    def show_state(self, settings: TenantSettings, alerts: OrderAlertList) -> None:
        tr = self.page.i18n
        self.switch.setChecked(settings.orders_paused)
        if not self.message.hasFocus():
            self.message.setText(settings.paused_message)
        failed = [a for a in alerts.items if a.state == "failed"]
        self.failures.setVisible(bool(failed))
        lines = [
            tr("pause.alert_failed", number=a.order_number, recipient=a.recipient, reason=a.last_error or "")
            for a in failed[:SHOWN_FAILURES]
        ]
        self.failures.setText("⚠ " + "\n".join(lines) if lines else "")

    def save(self) -> None:
        """Pause or resume now, with the message typed."""
        tenant = self.page.ctx.tenant
        if tenant is None:
            return
        tenant_id, paused, text = tenant.id, self.switch.isChecked(), self.message.text().strip()
        change = TenantSettingsChange(orders_paused=paused, paused_message=text)
        tr = self.page.i18n

        def saved(settings: TenantSettings) -> None:
            self.switch.setChecked(settings.orders_paused)
            self.page.message.emit(tr("pause.on" if settings.orders_paused else "pause.off"))

        def refused(error: Exception) -> None:
            self.switch.setChecked(not paused)  # the server did not take it: show what holds
            self.page.say_error(error)

        self.page.call(lambda client: client.tenants.change_settings(tenant_id, change), saved, refused)
