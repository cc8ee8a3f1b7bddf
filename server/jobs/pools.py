"""Closes the pools of tenants that went idle, so their connections serve others."""

from __future__ import annotations

import logging

from comandia.server.db.engines import TenantEngines
from comandia.server.jobs.loop import BackgroundLoop

log = logging.getLogger(__name__)


class IdlePoolCloser(BackgroundLoop):
    def __init__(self, engines: TenantEngines, every_seconds: float) -> None:
        super().__init__("idle-pool-closer", stop_timeout=5)
        self._engines = engines
        self._every = every_seconds

    def run(self) -> None:
        while not self._stop_event.wait(self._every):
            closed = self._safely(self._engines.close_idle, 0)
            if closed:
                log.debug("closed %d idle tenant pools", closed)
