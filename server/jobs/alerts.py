"""The alert job: hands new-order alerts to the outbox (WhatsApp) and mails them (e-mail).

Woken by `Services.alert_signal` once an order with alerts commits; every `sweep_seconds` it also
goes over every tenant with alert recipients, for e-mail retries that came due and for alerts a
lost signal (another process placed the order) left waiting, and marks e-mails a crash left
`sending` as failed.
"""

from __future__ import annotations

import time
from functools import partial

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.services.messaging.alerts import OrderAlertService
from comandia.server.services.messaging.signals import DirtyTenants


class AlertWorker(BackgroundLoop):
    """Args:
    alerts: sends one tenant's due alerts.
    dirty: tenants that just queued alerts (woken at once).
    sweep_seconds: how often every tenant with alert recipients is checked.
    """

    def __init__(
        self, alerts: OrderAlertService, dirty: DirtyTenants, sweep_seconds: float = 15.0, name: str = "order-alerts"
    ) -> None:
        super().__init__(name, stop_timeout=15)
        self._alerts = alerts
        self._dirty = dirty
        self._sweep_seconds = sweep_seconds

    def run(self) -> None:
        next_sweep = 0.0
        while not self._stop_event.is_set():
            tenants = self._dirty.take()
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self._sweep_seconds
                swept: set[str] = self._safely(self._alerts.tenants_with_alerts, set())
                for tenant_id in swept:
                    self._safely(partial(self._alerts.recover_stale, tenant_id), 0)
                tenants |= swept
            for tenant_id in sorted(tenants):
                if self._stop_event.is_set():
                    return
                if self._safely(partial(self._alerts.send_due, tenant_id), 0) >= 20:
                    self._dirty.mark({tenant_id})
            if not tenants:
                self._dirty.wait(min(1.0, self._sweep_seconds))

    def _wake(self) -> None:
        self._dirty.wake()
