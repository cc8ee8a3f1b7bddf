"""Delivers the ingest journal to the tenants' databases (services/messaging/journal.py).

A pass starts when this process journaled something, or every `poll_seconds` for what other
processes (or this one before a restart) left. It first waits `gather_seconds`, so one pass
delivers a burst's many posts per tenant in one transaction instead of one pass per post; a
pass that took a full batch is followed by the next at once. Posts reach their tenant's inbox
within gather + pass time, well under a second.
"""

from __future__ import annotations

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.services.messaging.journal import DRAIN_BATCH, IngestJournal


class JournalDrain(BackgroundLoop):
    def __init__(self, journal: IngestJournal, poll_seconds: float = 0.5, gather_seconds: float = 0.1) -> None:
        super().__init__("journal-drain")
        self._journal = journal
        self._poll = poll_seconds
        self._gather = gather_seconds

    def run(self) -> None:
        while not self._stop_event.is_set():
            if self._journal.pending.wait(self._poll) and self._stop_event.wait(self._gather):
                return
            while self._safely(self._journal.drain, 0) >= DRAIN_BATCH and not self._stop_event.is_set():
                pass

    def _wake(self) -> None:
        self._journal.pending.set()
