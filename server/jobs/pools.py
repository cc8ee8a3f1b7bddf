"""Closes the pools of tenants that went idle, so their connections serve others."""

from __future__ import annotations

import logging
import threading

from comandia.server.db.engines import TenantEngines

log = logging.getLogger(__name__)


class IdlePoolCloser(threading.Thread):
    def __init__(self, engines: TenantEngines, every_seconds: float) -> None:
        super().__init__(name="idle-pool-closer", daemon=True)
        self._engines = engines
        self._every = every_seconds
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self._every):
            closed = self._engines.close_idle()
            if closed:
                log.debug("closed %d idle tenant pools", closed)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)
