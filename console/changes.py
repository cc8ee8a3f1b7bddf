"""`ChangeWatcher`: polls the tenant's changes feed and says what changed (no widgets here).

One small request every `interval_ms` (1 s): the server answers an empty page from an index
when nothing changed, so ten consoles on one tenant cost it ten cheap queries a second. A poll
is skipped while the previous one is still out, and a failed poll is simply tried again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from comandia.console.context import AppContext
from comandia.shared.schemas.conversations import ChangeEntry, ChangePage

INTERVAL_MS = 1000


class ChangeWatcher(QObject):
    """Follows the current tenant's changes feed while started.

    Signals:
        changed(object): a list of `ChangeEntry`, oldest first (not emitted for an empty poll).
        reset(): the feed lost track (first poll after a tenant switch, or a cursor too old):
            reload everything.
    """

    changed = Signal(object)
    reset = Signal()

    def __init__(self, ctx: AppContext, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll_now)
        self._tenant: str | None = None
        self._cursor: int | None = None
        self._out = False

    def start(self) -> None:
        if not self.timer.isActive():
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll_now(self) -> None:
        tenant = self.ctx.tenant
        if tenant is None or self._out:
            return
        if tenant.id != self._tenant:
            self._tenant, self._cursor = tenant.id, None
        tenant_id, since = tenant.id, self._cursor
        self._out = True

        def done(page: ChangePage) -> None:
            self._out = False
            if tenant_id != self._tenant:
                return  # the tenant changed meanwhile
            first = self._cursor is None
            self._cursor = page.cursor
            if page.reset and not first:
                self.reset.emit()
            elif page.items:
                self.changed.emit(list(page.items))

        def failed(_error: Exception) -> None:
            self._out = False

        self.ctx.runner.run(lambda client: client.conversations.changes(tenant_id, since), done, failed)


def kinds(entries: list[ChangeEntry], kind: str) -> list[ChangeEntry]:
    return [e for e in entries if e.kind == kind]
