"""Wait until the local COMANDIA server answers /readyz (the unit's ExecStartPost).

Reads COMANDIA_HOST and COMANDIA_PORT from the service's environment; exits 0 once /readyz
answers 200, 1 after the deadline (systemd then marks the start as failed).
Standard library only: it runs with the release's Python before anything else is known to work.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request


def main() -> int:
    host = os.environ.get("COMANDIA_HOST") or "127.0.0.1"
    port = os.environ.get("COMANDIA_PORT") or "8080"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - listening everywhere: ask on loopback
        host = "127.0.0.1"
    url = f"http://{host}:{port}/readyz"
    deadline = time.monotonic() + float(sys.argv[1] if len(sys.argv) > 1 else 90)
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a fixed http URL
                if response.status == 200:
                    return 0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    print(f"COMANDIA no respondió a tiempo en {url} / did not answer {url} in time", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
