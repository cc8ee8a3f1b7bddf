"""Waiting in tests for something another thread or process does, without a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests


def eventually(check: Callable[[], bool], seconds: float = 5.0, interval: float = 0.02) -> bool:
    """Whether `check` comes true within `seconds`, asked every `interval` and once more at the end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


def answers(url: str, timeout: float = 5.0) -> bool:
    """Whether a GET of `url` answers 200 now (a server still starting does not)."""
    try:
        return requests.get(url, timeout=timeout).status_code == 200
    except requests.RequestException:
        return False
