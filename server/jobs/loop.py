"""The base of the server's background threads: stoppable, and never killed by one bad pass.

A pass that meets an environment failure (a database away: `DomainError`) is logged as a warning
and retried on the next pass; a bug is logged with its traceback. Either way the thread lives on,
so one poisoned tenant or an outage never stops the appliance's messaging or backups.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from comandia.shared.domain.errors import DomainError

log = logging.getLogger(__name__)

T = TypeVar("T")


class BackgroundLoop(threading.Thread):
    """A daemon thread with a stop event; subclasses write `run()` and call `_safely` for each pass.

    Args:
        name: the thread's name, also the prefix of its log lines.
        stop_timeout: seconds `stop()` waits for the thread to finish its pass.
    """

    def __init__(self, name: str, stop_timeout: float = 10.0) -> None:
        super().__init__(name=name, daemon=True)
        self._stop_event = threading.Event()
        self._stop_timeout = stop_timeout

    def _safely(self, action: Callable[[], T], fallback: T) -> T:
        """`action()`, or `fallback` when it failed (logged; the loop goes on)."""
        try:
            return action()
        except DomainError as error:  # the environment (a database away): retried on the next pass
            log.warning("%s: %s", self.name, error.detail)
        except Exception:  # a bug must not kill the loop
            log.exception("%s crashed on one pass", self.name)
        return fallback

    def _wake(self) -> None:
        """Interrupt whatever the loop waits on (the stop event itself needs nothing)."""

    def stop(self) -> None:
        self._stop_event.set()
        self._wake()
        self.join(timeout=self._stop_timeout)
