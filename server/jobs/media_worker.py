"""The media worker: downloads the files customers send, off the webhook path, and expires old ones.

One thread; a tenant whose inbox just recorded files is woken at once (`dirty`), and the tenants
its `SweepPlan` names (sweeps.py: those with downloads lately, and every tenant with a WhatsApp
number every 30 s) are swept every `sweep_seconds` for due retries. A download is bounded in
bytes and time (`providers/media.py`), so one hostile file holds the thread a minute at most.
Once an hour each tenant's files older than its `media_retention_days` are deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.jobs.sweeps import SweepPlan
from comandia.server.services.messaging.media import MediaService
from comandia.server.services.messaging.signals import DirtyTenants


class MediaWorker(BackgroundLoop):
    """Args:
    media: the media service.
    dirty: tenants that just recorded files to download.
    tenants_with_numbers: every tenant that owns a WhatsApp number.
    sweep_seconds: how often every tenant is checked for due retries.
    purge_seconds: how often expired files are deleted (every tenant's).
    plan: which tenants the sweep for due retries visits (one of its own by default).
    """

    def __init__(
        self,
        media: MediaService,
        dirty: DirtyTenants,
        tenants_with_numbers: Callable[[], set[str]],
        sweep_seconds: float = 5.0,
        purge_seconds: float = 3600.0,
        plan: SweepPlan | None = None,
    ) -> None:
        super().__init__("media-worker", stop_timeout=15)
        self._media = media
        self._dirty = dirty
        self._tenants = tenants_with_numbers
        self._sweep_seconds = sweep_seconds
        self._purge_seconds = purge_seconds
        self._plan = plan or SweepPlan()

    def run(self) -> None:
        next_sweep, next_purge = 0.0, time.monotonic() + 60
        while not self._stop_event.is_set():
            tenants = self._dirty.take()
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self._sweep_seconds
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + self._purge_seconds
                    everyone: set[str] = self._safely(self._tenants, set())
                    for tenant_id in everyone:
                        self._safely(partial(self._media.purge_expired, tenant_id), 0)
                swept: set[str] = self._safely(partial(self._plan.tenants, self._tenants), set())
                tenants |= swept
            for tenant_id in sorted(tenants):
                if self._stop_event.is_set():
                    return
                fetched = self._safely(partial(self._media.fetch_due, tenant_id), -1)
                if fetched:  # downloaded, or tried and will retry: swept every time for a while
                    self._plan.worked({tenant_id})
                if fetched >= 20:
                    self._dirty.mark({tenant_id})
            if not tenants:
                self._dirty.wait(min(0.5, self._sweep_seconds))

    def _wake(self) -> None:
        self._dirty.wake()
