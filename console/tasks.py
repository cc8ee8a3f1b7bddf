"""Background operations: every API call runs off the GUI thread; results come back by Signal.

A task is a plain function `fn(client) -> result` that touches no widget. `TaskRunner.run`
queues it on a `QThreadPool`; the worker emits the result (or the error) through a `_Relay`
QObject living in the GUI thread, so the callbacks run there (queued connection). `inline=True`
runs the function and the callbacks at once, for tests that want no threads at all.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from comandia.console.connection import Connection
from comandia.shared.client import ClientError, UnauthorizedError

if TYPE_CHECKING:
    from comandia.shared.client import ApiClient  # imported by the first request (console/connection.py)

log = logging.getLogger(__name__)

Work = Callable[["ApiClient"], Any]
Done = Callable[[Any], None]
Failed = Callable[[Exception], None]

SLOW_HANDLER_MS = 50.0
"""A result handler running longer than this on the GUI thread is logged (and fails the tests)."""


class _Relay(QObject):
    """Carries one task's outcome to the GUI thread.

    Signals:
        succeeded(object): the function's return value.
        failed(object): the exception it raised.
    """

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self, name: str, on_success: Done, on_failure: Done, timings: deque[tuple[str, float]], parent: QObject
    ) -> None:
        # A parent, so that the C++ object belongs to the GUI thread's tree and is deleted there by
        # deleteLater: without one, the last Python reference decides, and that can drop in a pool
        # thread (the finished _Job) or in a garbage collection a pool thread happens to run, which
        # deletes a GUI-thread QObject from another thread (a crash seen once in the console tests).
        super().__init__(parent)
        self._name = name
        self._on_success: Done | None = on_success
        self._on_failure: Done | None = on_failure
        self._timings = timings
        # Bound slots of an object living in the GUI thread: a pool thread's emit is queued.
        self.succeeded.connect(self._succeeded)
        self.failed.connect(self._failed)

    @Slot(object)
    def _succeeded(self, result: object) -> None:
        if self._on_success is not None:
            self._timed(self._on_success, result)

    @Slot(object)
    def _failed(self, error: object) -> None:
        if self._on_failure is not None:
            self._timed(self._on_failure, error)

    def release(self) -> None:
        """Drop the handlers (their closures refer back to this relay) and delete it on the GUI thread."""
        self._on_success = self._on_failure = None
        self.deleteLater()

    def _timed(self, handler: Done, value: object) -> None:
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            handler(value)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            # What the handler itself cost the GUI thread, for the budget tests: on a loaded
            # machine the wall time also counts the time the thread waited for a CPU or the GIL.
            self._timings.append((self._name, (time.thread_time() - cpu_started) * 1000))
            if elapsed > SLOW_HANDLER_MS:
                log.warning("a result handler kept the GUI thread for %.0f ms: %s", elapsed, self._name)


class _Job(QRunnable):
    def __init__(self, connection: Connection, work: Work, relay: _Relay) -> None:
        super().__init__()
        self._connection, self._work, self._relay = connection, work, relay

    def run(self) -> None:  # runs in a pool thread: no widget may be touched here
        try:
            result = self._work(self._connection.client())
        except Exception as error:  # noqa: BLE001 - every failure must reach the GUI, never kill the pool
            if not isinstance(error, ClientError):
                log.exception("background task failed")
            self._relay.failed.emit(error)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    """Runs client calls in a thread pool and delivers outcomes on the GUI thread.

    Signals:
        unauthorized(object): a task got 401; the login should come back (the error is passed).
        busyChanged(int): how many tasks are still running.
        failed(object, object): a task failed (error, retry callable) and had no own handler.
    """

    unauthorized = Signal(object)
    busyChanged = Signal(int)
    failed = Signal(object, object)

    def __init__(self, connection: Connection, inline: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.connection = connection
        self.inline = inline
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(4)
        self._relays: set[_Relay] = set()
        # (the handler's name, the GUI thread's CPU ms) of each result handler, for the budget tests
        self.handler_ms: deque[tuple[str, float]] = deque(maxlen=10_000)

    @property
    def busy(self) -> int:
        return len(self._relays)

    def run(self, work: Work, on_done: Done | None = None, on_error: Failed | None = None) -> None:
        """Run `work(client)` in the background; `on_done(result)` or `on_error(error)` on the GUI thread.

        A 401 always goes to `unauthorized` (the login comes back) and then to `on_error`; other
        errors go to `on_error`, or to `failed` with a retry when there is no `on_error`.
        """

        def retry() -> None:
            self.run(work, on_done, on_error)

        def finish_ok(result: object) -> None:
            self._forget(relay)
            if on_done is not None:
                on_done(result)

        def finish_error(error: object) -> None:
            self._forget(relay)
            assert isinstance(error, Exception)
            if isinstance(error, UnauthorizedError):
                self.unauthorized.emit(error)
            if on_error is not None:
                on_error(error)
            elif not isinstance(error, UnauthorizedError):
                self.failed.emit(error, retry)

        name = getattr(work, "__qualname__", repr(work))  # the task's name says whose result it was
        relay = _Relay(name, finish_ok, finish_error, self.handler_ms, self)
        self._relays.add(relay)
        self.busyChanged.emit(len(self._relays))
        if self.inline:
            _Job(self.connection, work, relay).run()
        else:
            self._pool.start(_Job(self.connection, work, relay))

    def _forget(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        relay.release()
        self.busyChanged.emit(len(self._relays))

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until every started job has returned (shutdown and tests only)."""
        return bool(self._pool.waitForDone(msecs))

    def shutdown(self) -> None:
        self._pool.clear()
        self._pool.waitForDone(30000)
        self.connection.close()
