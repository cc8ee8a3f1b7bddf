"""Inbox worker threads: process the tenants the webhook marked, and sweep all of them regularly.

Several workers share the work (`COMANDIA_INBOX_WORKERS`), one tenant each at a time: a turn
holds two of the tenant's pooled connections (the inbox row's lock and the conversation's own
session), so one worker per tenant leaves the rest of the pool to that tenant's webhooks. A
worker that takes a set of marked tenants keeps one and hands the others back, so idle workers
pick them up at once; a tenant marked while another worker has it is re-marked when that worker
lets go, so no signal is lost. While webhooks arrive in a burst (`yield_to()` true), only the
first worker goes on: acknowledging the providers comes first on a 2-core box, and the others
join in to drain the backlog once the burst is over.

The sweep (every `sweep_seconds`) picks up what the in-memory signal cannot: messages stored by
another process, or before a restart (RELIABILITY R2: processing resumes within seconds of a restart,
since the first sweep visits every tenant). It visits the tenants its `SweepPlan` names (sweeps.py):
those that had work lately, and every tenant every 30 s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.jobs.sweeps import SweepPlan
from comandia.server.services.messaging.inbox import InboxProcessor
from comandia.server.services.messaging.signals import DirtyTenants

BATCH = 20
"""Messages a worker processes before it lets other tenants (and other workers) have a turn."""
STEP_ASIDE_SECONDS = 0.05


class TenantClaims:
    """Which tenants a worker is on; a tenant marked meanwhile is handed back when it is let go."""

    def __init__(self, dirty: DirtyTenants) -> None:
        self._dirty = dirty
        self._busy: set[str] = set()
        self._deferred: set[str] = set()
        self._lock = threading.Lock()

    def try_claim(self, tenant_id: str) -> bool:
        with self._lock:
            if tenant_id in self._busy:
                self._deferred.add(tenant_id)
                return False
            self._busy.add(tenant_id)
            return True

    def release(self, tenant_id: str, more: bool) -> None:
        with self._lock:
            self._busy.discard(tenant_id)
            again = more or tenant_id in self._deferred
            self._deferred.discard(tenant_id)
        if again:
            self._dirty.mark({tenant_id})


class InboxWorker(BackgroundLoop):
    """Args:
    processor: processes one tenant's inbox.
    dirty: tenants the webhook stored messages for.
    tenants_with_numbers: every tenant that owns a WhatsApp number (the sweep's list).
    claims: shared by the workers of one process (a worker alone gets its own).
    yield_to: true while this worker should step aside (given to every worker but the first).
    plan: which tenants the sweep visits (shared by the workers of one process; one of its own by default).
    """

    def __init__(
        self,
        processor: InboxProcessor,
        dirty: DirtyTenants,
        tenants_with_numbers: Callable[[], set[str]],
        sweep_seconds: float = 2.0,
        name: str = "inbox-worker",
        claims: TenantClaims | None = None,
        yield_to: Callable[[], bool] = lambda: False,
        plan: SweepPlan | None = None,
    ) -> None:
        super().__init__(name)
        self._processor = processor
        self._dirty = dirty
        self._tenants = tenants_with_numbers
        self._sweep_seconds = sweep_seconds
        self._claims = claims or TenantClaims(dirty)
        self._yield_to = yield_to
        self._plan = plan or SweepPlan()

    def run(self) -> None:
        next_sweep = 0.0
        while not self._stop_event.is_set():
            if self._yield_to():
                self._stop_event.wait(STEP_ASIDE_SECONDS)
                continue
            tenants = self._dirty.take()
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self._sweep_seconds
                swept: set[str] = self._safely(partial(self._plan.tenants, self._tenants), set())
                tenants |= swept
            mine = next((t for t in sorted(tenants) if self._claims.try_claim(t)), None)
            rest = tenants - {mine} if mine else set()
            if rest:
                self._dirty.mark(rest)  # for the other workers (or this one, next time round)
            if mine is None:
                self._dirty.wait(min(0.5, self._sweep_seconds))
                continue
            done = 0
            try:
                done = self._safely(partial(self._processor.process, mine, BATCH, self._keep_going), -1)
            finally:
                self._claims.release(mine, more=done >= BATCH or self._yield_to())
            if done:  # work, or a failure to retry: swept every time for a while
                self._plan.worked({mine})

    def _keep_going(self) -> bool:
        return not self._stop_event.is_set() and not self._yield_to()

    def _wake(self) -> None:
        self._dirty.wake()
