"""COMANDIA's release version: the one place it is written (pyproject.toml reads it from here).

Bumped once per release. The server publishes it as the OpenAPI document's `info.version`, the
console compares it with its own (`compare`), and every command's `--version` prints it.
"""

from __future__ import annotations

import re
from typing import Literal

__version__ = "0.2.0"

Compatibility = Literal["same", "compatible", "server_newer", "server_older"]


def release(version: str) -> tuple[int, ...]:
    """The numbers of a version, "0.2.0" -> (0, 2, 0); a suffix ("0.2.0.dev1", "1.0rc1") is left out."""
    numbers = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    return tuple(int(n) for n in numbers.group(1).split(".")) if numbers else ()


def compare(console: str, server: str) -> Compatibility:
    """How a console of version `console` fits a server of version `server`.

    The console speaks the API of its own major.minor release: a server of the same major.minor
    (another patch) is "compatible"; otherwise the server is newer or older than it supports.
    """
    ours, theirs = release(console), release(server)
    if ours == theirs:
        return "same"
    if ours[:2] == theirs[:2]:
        return "compatible"
    return "server_newer" if theirs > ours else "server_older"
