"""The thread that copies order changes into the superadmin's summary about once a second.

See `services/kpis/summaries.py`. When it starts it also copies the days around today of every
tenant, so days marked by a process that died before its flush are not left behind; when it
stops it flushes what is pending.
"""

from __future__ import annotations

from collections.abc import Callable

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.services.kpis.summaries import PendingSummaries

FLUSH_EVERY_SECONDS = 1.0


class SummaryRefresher(BackgroundLoop):
    """Args:
        pending: the days order changes marked.
        catch_up: copies the recent days of every tenant (run once, at start).
    """

    def __init__(self, pending: PendingSummaries, catch_up: Callable[[], None],
                 every_seconds: float = FLUSH_EVERY_SECONDS) -> None:
        super().__init__("summary-refresher")
        self._pending = pending
        self._catch_up = catch_up
        self._every = every_seconds

    def start(self) -> None:
        self._pending.defer(True)  # from now on changes only mark their days
        super().start()

    def run(self) -> None:
        self._safely(self._catch_up, None)
        while not self._stop_event.wait(self._every):
            self._safely(self._pending.flush, 0)

    def stop(self) -> None:
        super().stop()
        self._pending.defer(False)
        self._safely(self._pending.flush, 0)
