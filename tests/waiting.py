"""Waiting in tests for something another thread or process does, without a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable


def eventually(check: Callable[[], bool], seconds: float = 5.0, interval: float = 0.02) -> bool:
    """Whether `check` comes true within `seconds`, asked every `interval` and once more at the end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()
