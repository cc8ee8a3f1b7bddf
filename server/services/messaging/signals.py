"""How the webhook wakes the inbox workers, and the inbox and status notices the outbox sender.

Both signals are `DirtyTenants`: in-process sets of tenants that have new work. The composition
root makes one for the inbox (`Services.inbox_signal`, marked by the webhook's ingest) and one for
the outbox (`Services.outbox_signal`, marked when replies or notices are queued).
"""

from __future__ import annotations

import threading


class DirtyTenants:
    """Tenants with new work, told by whoever made it to the job that does it (in-process only).

    The jobs also sweep every tenant periodically, so a lost signal (another process, a
    restart) delays work by one sweep and never loses it.
    """

    def __init__(self) -> None:
        self._tenants: set[str] = set()
        self._event = threading.Event()
        self._lock = threading.Lock()

    def mark(self, tenant_ids: set[str]) -> None:
        if tenant_ids:
            with self._lock:
                self._tenants |= tenant_ids
            self._event.set()

    def wake(self) -> None:
        """Wake a waiting worker without giving it work (used to stop it)."""
        self._event.set()

    def take(self) -> set[str]:
        with self._lock:
            taken, self._tenants = self._tenants, set()
            self._event.clear()
        return taken

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)
