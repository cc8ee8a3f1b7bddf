"""Keeps the changes feed small: once an hour, each tenant's entries older than two days go.

A console that was away longer reloads everything anyway (the feed answers `reset`), so nothing
a reader needs is dropped, and a tenant's feed holds about two days of its activity at most.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.services.messaging.changes import ChangeFeed

log = logging.getLogger(__name__)


class ChangesPruner(BackgroundLoop):
    """Args: feed (the changes service), tenant_ids (the tenants to prune), every_seconds (the pause)."""

    def __init__(self, feed: ChangeFeed, tenant_ids: Callable[[], Iterable[str]], every_seconds: float = 3600) -> None:
        super().__init__("changes-pruner", stop_timeout=10)
        self._feed = feed
        self._tenant_ids = tenant_ids
        self._every = every_seconds

    def run(self) -> None:
        while not self._stop_event.wait(self._every):
            none: list[str] = []
            for tenant_id in self._safely(lambda: list(self._tenant_ids()), none):
                if self._stop_event.is_set():
                    return
                self._prune(tenant_id)

    def _prune(self, tenant_id: str) -> None:
        dropped = self._safely(lambda: self._feed.prune(tenant_id), 0)
        if dropped:
            log.debug("tenant %s: %d old changes pruned", tenant_id, dropped)
