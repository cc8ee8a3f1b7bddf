"""`StallWatchdog`: measures how long the GUI thread stays busy, with a QTimer in that thread.

The timer should fire every `interval` ms; when it fires late, the GUI thread was running
something else in between. `max_stall_ms` is the most CPU time the GUI thread spent between two
ticks: its own work, which no load elsewhere on the machine can inflate. `max_wall_stall_ms`
is the longest late tick by the wall clock (that also counts waiting for a CPU or the GIL).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer


class StallWatchdog(QObject):
    """Records the longest GUI-thread stall between `start()` and `stop()`.

    Signals: none.
    """

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval = interval_ms
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer's slack would look like a stall
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._last_cpu = 0.0
        self.max_stall_ms = 0.0
        self.max_wall_stall_ms = 0.0
        self.ticks = 0
        self.worst_at = 0.0
        self.stalls: list[tuple[float, float]] = []

    def start(self) -> None:
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        stall = (cpu - self._last_cpu) * 1000  # the GUI thread's own work since the last tick
        self.max_wall_stall_ms = max(self.max_wall_stall_ms, (now - self._last) * 1000 - self._interval)
        if stall > self.max_stall_ms:
            self.max_stall_ms = stall
            self.worst_at = now
        if stall > 15:
            self.stalls.append((now, stall))
        self._last, self._last_cpu = now, cpu
        self.ticks += 1
