"""The thread that copies order changes into the superadmin's summary about once a second.

See `services/kpis/summaries.py`. In a process with background jobs it also copies the days
around today of every tenant when it starts, and again whenever a request process asks for it
(`PendingSummaries.ask_catch_up`), so days marked by a process that died before its flush are not
left behind; when it stops it flushes what is pending. A request process catches up nothing
itself: its refresher asks the jobs process once, when it starts (`CATCH_UP`, on the work
channel), and several asks arriving together make one catch-up.
"""

from __future__ import annotations

from collections.abc import Callable

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.services.kpis.summaries import PendingSummaries

FLUSH_EVERY_SECONDS = 1.0
CATCH_UP = "summaries"
"""The work kind a request process relays at its start to have the jobs process catch up."""


class SummaryRefresher(BackgroundLoop):
    """Args:
    pending: the days order changes marked.
    catch_up: copies the recent days of every tenant (at start, and when asked); in a request
        process, asks the jobs process to instead (at start only).
    every_seconds: how often marked days are copied.
    """

    def __init__(
        self, pending: PendingSummaries, catch_up: Callable[[], None], every_seconds: float = FLUSH_EVERY_SECONDS
    ) -> None:
        super().__init__("summary-refresher")
        self._pending = pending
        self._catch_up = catch_up
        self._every = every_seconds

    def start(self) -> None:
        self._pending.defer(True)  # from now on changes only mark their days
        super().start()

    def run(self) -> None:
        self._pending.catch_up_asked()  # asks made before this start are covered by it
        self._safely(self._catch_up, None)
        while not self._stop_event.wait(self._every):
            if self._pending.catch_up_asked():
                self._safely(self._catch_up, None)
            self._safely(self._pending.flush, 0)

    def stop(self) -> None:
        super().stop()
        self._pending.defer(False)
        self._safely(self._pending.flush, 0)
