"""Outbox sender threads: send what is due, tenant by tenant, and clean up after crashes.

Several threads may run (`threads`); rows are claimed with SKIP LOCKED, so they share the work
without sending a row twice, and one customer's messages still go out in order (see
`services/messaging/outbox.py`). The sweep for due retries visits the tenants its `SweepPlan`
names (sweeps.py: those that sent or tried lately, and every tenant every 30 s); every
`recover_seconds` every tenant is checked for rows a crashed sender left `sending`, marked failed.
Messages a webhook reported failed because the 24-hour window had closed are resent as their
template first (`window_resend.py`): at once when this process took the webhook, else at the
recovery sweep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.jobs.sweeps import SweepPlan
from comandia.server.services.messaging.outbox import OutboxSender
from comandia.server.services.messaging.signals import DirtyTenants


class OutboxWorker(BackgroundLoop):
    """Args:
    sender: sends one tenant's due rows.
    dirty: tenants that just queued messages (woken at once).
    tenants_with_numbers: every tenant that owns a WhatsApp number (swept for retries).
    sweep_seconds: how often every tenant is checked for due retries.
    recover_seconds: how often rows a crashed sender left `sending` are looked for (and late
        window-closed failures are resent for every tenant).
    resend: queues the templates of a tenant's late window-closed failures (`WindowClosedResender.resend`).
    window_closed: tenants whose webhook just reported such a failure.
    plan: which tenants the sweep for due retries visits (one of its own by default).
    """

    def __init__(
        self,
        sender: OutboxSender,
        dirty: DirtyTenants,
        tenants_with_numbers: Callable[[], set[str]],
        sweep_seconds: float = 1.0,
        recover_seconds: float = 30.0,
        name: str = "outbox-sender",
        resend: Callable[[str], int] = lambda tenant_id: 0,
        window_closed: DirtyTenants | None = None,
        plan: SweepPlan | None = None,
    ) -> None:
        super().__init__(name, stop_timeout=15)
        self._sender = sender
        self._dirty = dirty
        self._tenants = tenants_with_numbers
        self._sweep_seconds = sweep_seconds
        self._recover_seconds = recover_seconds
        self._resend = resend
        self._window_closed = window_closed or DirtyTenants()
        self._plan = plan or SweepPlan()

    def run(self) -> None:
        next_sweep = next_recovery = 0.0
        while not self._stop_event.is_set():
            tenants, refused = self._dirty.take(), self._window_closed.take()
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self._sweep_seconds
                if time.monotonic() >= next_recovery:
                    next_recovery = time.monotonic() + self._recover_seconds
                    everyone: set[str] = self._safely(self._tenants, set())
                    for tenant_id in everyone:
                        self._safely(partial(self._sender.recover_stale, tenant_id), 0)
                    refused |= everyone  # a signal lost to another process, or a resend that waited
                swept: set[str] = self._safely(partial(self._plan.tenants, self._tenants), set())
                tenants |= swept
            for tenant_id in sorted(refused):
                self._safely(partial(self._resend, tenant_id), 0)
            tenants |= refused
            for tenant_id in sorted(tenants):
                if self._stop_event.is_set():
                    return
                attempted = self._safely(partial(self._sender.send_due, tenant_id), -1)
                if attempted:  # sent, or tried and will retry: swept every time for a while
                    self._plan.worked({tenant_id})
                if attempted >= 50:
                    self._dirty.mark({tenant_id})
            if not tenants:
                self._dirty.wait(min(0.2, self._sweep_seconds))

    def _wake(self) -> None:
        self._dirty.wake()
