"""Which tenants a worker's periodic sweep visits: those that had work lately, and all now and then.

A worker is woken for the tenants its signal names; its sweep is for what no signal told (rows
left by a process that died or before a restart, a retry after its backoff, a tenant whose
database was away, a notification lost while the listener was reconnecting). Sweeping every
tenant every 1-2 s cost an idle jobs process with 50 tenants about 135 tenant visits a second
(3 inbox workers, the sender, the media worker), each a connection opened and another closed
when the tenants outnumber the budget. So a sweep visits every tenant at its first pass, every
`full_seconds` after and at once after `sweep_all()` (the listener is back), and in between only
the tenants that had work or failed within `linger_seconds` (longer than the sender's longest
backoff, so their retries keep their times). A tenant idle for longer costs one visit per
`full_seconds`, and one with work is found by its signal at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

FULL_SECONDS = 30.0
LINGER_SECONDS = 330.0
"""The sender's longest backoff (300 s) and a sweep more."""


class SweepPlan:
    """Shared by the workers of one kind in one process (the inbox workers share theirs)."""

    def __init__(
        self,
        full_seconds: float = FULL_SECONDS,
        linger_seconds: float = LINGER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._full = full_seconds
        self._linger = linger_seconds
        self._clock = clock
        self._next_full = 0.0
        self._active: dict[str, float] = {}  # tenant -> until when it is swept every time
        self._lock = threading.Lock()

    def tenants(self, every: Callable[[], set[str]]) -> set[str]:
        """The tenants this sweep visits: `every()` when a full sweep is due, else the active ones.

        Raises:
            whatever `every()` raises (the full sweep is then tried again on the next call).
        """
        now = self._clock()
        with self._lock:
            full = now >= self._next_full
            if full:
                self._next_full = now + self._full
            self._active = {t: until for t, until in self._active.items() if until > now}
            active = set(self._active)
        if not full:
            return active
        try:
            return every() | active
        except Exception:
            with self._lock:
                self._next_full = 0.0
            raise

    def worked(self, tenant_ids: Iterable[str]) -> None:
        """These tenants had work (or failed): swept every time for the next `linger_seconds`."""
        until = self._clock() + self._linger
        with self._lock:
            for tenant_id in tenant_ids:
                self._active[tenant_id] = until

    def sweep_all(self) -> None:
        """The next sweep visits every tenant (what was announced meanwhile may have been missed)."""
        with self._lock:
            self._next_full = 0.0
