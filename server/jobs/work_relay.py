"""Tells the jobs process what a request process just made work for (`comandia-server --workers N`).

With a jobs process (docs/architecture.md, "Several processes"), a request process runs no
background workers: the webhooks it journals, the replies a manager queues, the order alerts and
notices its API calls make wait for the jobs process. The in-process signals those services mark
(`DirtyTenants`, the journal's `pending`) are read here every `every_seconds` and sent on as one
`NOTIFY comandia_work` per kind; the jobs process's listener (`jobs/changes.py`) marks its own
signals with them. A burst of thousands of webhooks costs a few notifications a second, not one
each. A notification is a hint: a lost one (the control database away for a moment) delays the
work until the jobs' next sweep, and loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.services.messaging.signals import DirtyTenants

log = logging.getLogger(__name__)

WORK_CHANNEL = "comandia_work"
JOURNAL = "journal"
"""The kind that wakes the journal drain (it names no tenant)."""
FAILED_PAUSE_SECONDS = 1.0
_MAX_PAYLOAD = 7_000
"""Characters of one notification's payload (PostgreSQL refuses 8,000 and more)."""


def payloads(kind: str, tenant_ids: set[str]) -> Iterator[str]:
    """`kind:t1,t2,...` notifications naming `tenant_ids`, each under PostgreSQL's payload limit."""
    chunk: list[str] = []
    size = 0
    for tenant_id in sorted(tenant_ids):
        if chunk and size + len(tenant_id) + 1 > _MAX_PAYLOAD:
            yield f"{kind}:{','.join(chunk)}"
            chunk, size = [], 0
        chunk.append(tenant_id)
        size += len(tenant_id) + 1
    if chunk or not tenant_ids:
        yield f"{kind}:{','.join(chunk)}"


def parse_work(text: str) -> tuple[str, set[str]]:
    """The kind and the tenants of one `comandia_work` notification."""
    kind, _, names = text.partition(":")
    return kind, {name for name in names.split(",") if name}


class WorkRelay(BackgroundLoop):
    """Args:
    signals: the request process's signals by kind (`inbox`, `outbox`, ...); nothing else reads them.
    journal_pending: set when this process journaled webhooks (None: `ingest = "direct"`).
    notify: sends one notification payload on `WORK_CHANNEL` (raises a `DomainError` when it cannot).
    every_seconds: how long marks gather before they are sent.
    """

    def __init__(
        self,
        signals: Mapping[str, DirtyTenants],
        journal_pending: threading.Event | None,
        notify: Callable[[list[str]], None],
        every_seconds: float = 0.05,
    ) -> None:
        super().__init__("work-relay")
        self._signals = signals
        self._journal = journal_pending
        self._notify = notify
        self._every = every_seconds

    def run(self) -> None:
        pause = self._every
        while not self._stop_event.wait(pause):
            sent = self._safely(self.relay_once, False)
            # The control database away: say so once a second, not twenty times.
            pause = self._every if sent else FAILED_PAUSE_SECONDS

    def relay_once(self) -> bool:
        """Send what was marked since the last call (kept for the next call if it cannot be sent).

        Returns:
            True (False comes from `_safely` when sending failed).
        """
        taken = {kind: signal.take() for kind, signal in self._signals.items()}
        journaled = self._journal is not None and self._journal.is_set()
        if journaled and self._journal is not None:
            self._journal.clear()
        texts = [text for kind, tenants in taken.items() if tenants for text in payloads(kind, tenants)]
        if journaled:
            texts.append(f"{JOURNAL}:")
        if not texts:
            return True
        try:
            self._notify(texts)
        except Exception:
            for kind, tenants in taken.items():  # tried again on the next call
                self._signals[kind].mark(tenants)
            if journaled and self._journal is not None:
                self._journal.set()
            raise
        return True
