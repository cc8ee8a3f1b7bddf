"""How long ago this process started, for `comandia-console --startup-probe` (no Qt here).

The probe measures from the process's start, interpreter and imports included, because that is
what a person waits for. Linux tells a process's start time in `/proc`; elsewhere the clock starts
when the console's package is imported (the interpreter's own start, some tens of milliseconds,
is then left out, and the probe says so).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from comandia.console import IMPORTED_AT


def seconds_since_start(proc: Path = Path("/proc")) -> tuple[float, bool]:
    """(seconds since this process started, whether that counts from the process's real start).

    Args:
        proc: the procfs mount (a test passes another).
    """
    try:
        # Field 22 of /proc/self/stat is the start in clock ticks since boot; the command name
        # (field 2) may hold spaces, so fields are counted after its closing parenthesis.
        stat = (proc / "self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(stat[19]) / os.sysconf("SC_CLK_TCK")
        uptime = float((proc / "uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - IMPORTED_AT, False
    return max(0.0, uptime - started), True
