"""The inbox worker thread: processes tenants the webhook marked, and sweeps all of them regularly.

The sweep (every `sweep_seconds`) picks up what the in-memory signal cannot: messages stored by
another process, or before a restart (RELIABILITY R2: processed within seconds of a restart).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from comandia.server.services.inbox import InboxProcessor
from comandia.server.services.ingest import DirtyTenants
from comandia.shared.domain.errors import DomainError

log = logging.getLogger(__name__)

T = TypeVar("T")


class InboxWorker(threading.Thread):
    """Args:
        processor: processes one tenant's inbox.
        dirty: tenants the webhook stored messages for.
        tenants_with_numbers: every tenant that owns a WhatsApp number (the sweep's list).
    """

    def __init__(self, processor: InboxProcessor, dirty: DirtyTenants, tenants_with_numbers: Callable[[], set[str]],
                 sweep_seconds: float = 2.0, name: str = "inbox-worker") -> None:
        super().__init__(name=name, daemon=True)
        self._processor = processor
        self._dirty = dirty
        self._tenants = tenants_with_numbers
        self._sweep_seconds = sweep_seconds
        self._stop_event = threading.Event()

    def run(self) -> None:
        next_sweep = 0.0
        while not self._stop_event.is_set():
            tenants = self._dirty.take()
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self._sweep_seconds
                swept: set[str] = self._safely(self._tenants, set())
                tenants |= swept
            for tenant_id in sorted(tenants):
                if self._stop_event.is_set():
                    return
                if self._safely(partial(self._processor.process, tenant_id), 0) >= 100:
                    self._dirty.mark({tenant_id})  # more left: come back after the others had a turn
            if not tenants:
                self._dirty.wait(min(0.5, self._sweep_seconds))

    def _safely(self, action: Callable[[], T], fallback: T) -> T:
        try:
            return action()
        except DomainError as error:  # a database away: logged, retried on the next pass
            log.warning("inbox worker: %s", error.detail)
        except Exception:  # a bug must not kill the worker
            log.exception("inbox worker crashed on one pass")
        return fallback

    def stop(self) -> None:
        self._stop_event.set()
        self._dirty.wake()
        self.join(timeout=10)
