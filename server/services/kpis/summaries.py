"""The superadmin's summary (`tenant_daily` in the control database) after order changes, coalesced.

An order change updates its tenant's rollups in its own transaction, so tenant dashboards are
exact at once. Copying the touched days into the control database's summary costs another
connection and three round trips per order. While the server's `SummaryRefresher` job runs, a
change only marks its days here and the job copies each tenant's marked days about once a second,
however many orders come in. Without the job (comandia-admin, tests that start no jobs) every
change is copied at once, as before, so no entry point leaves the summary behind.

Days marked by a process that died before its flush are copied by a catch-up of the days around
today: the job runs one when it starts in a process with background jobs, and again when a
request process (re)started since asks for one (`ask_catch_up`, relayed by `NOTIFY`), since that
process's predecessor may have died with days marked.

Messages move the summary too (its "messages in/out" and "failed sends"): the inbox worker, the
outbox sender and the ingest of a "failed" delivery status call `message_hook` for their tenant,
which marks the tenant's latest days the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from comandia.shared.domain.errors import DomainError

log = logging.getLogger(__name__)

Refresh = Callable[[str, Iterable[dt.date]], None]


class PendingSummaries:
    """Days whose summary is behind its rollups, per tenant.

    Args:
        refresh: copies one tenant's days from its rollups into the summary.
    """

    def __init__(self, refresh: Refresh) -> None:
        self._refresh = refresh
        self._pending: dict[str, set[dt.date]] = {}
        self._lock = threading.Lock()
        self._deferred = False
        self._catch_up_asked = threading.Event()

    def days_changed(self, tenant_id: str, days: set[dt.date]) -> None:
        """An order change committed: copy its days now, or mark them while a refresher runs."""
        with self._lock:
            if self._deferred:
                self._pending.setdefault(tenant_id, set()).update(days)
                return
        self._refresh(tenant_id, days)

    def defer(self, deferred: bool) -> None:
        """A refresher started (True) or stopped (False: flush what is pending yourself)."""
        with self._lock:
            self._deferred = deferred

    def flush(self) -> int:
        """Copy every pending tenant's days; returns how many tenants. A tenant whose database
        is away keeps its days pending for the next flush."""
        with self._lock:
            taken, self._pending = self._pending, {}
        for tenant_id, days in taken.items():
            try:
                self._refresh(tenant_id, days)
            except DomainError as error:
                log.warning("summary of tenant %s stays behind for now: %s", tenant_id, error.detail)
                with self._lock:
                    self._pending.setdefault(tenant_id, set()).update(days)
        return len(taken)

    def ask_catch_up(self) -> None:
        """A request process started: the refresher catches up on its next pass (coalesced)."""
        self._catch_up_asked.set()

    def catch_up_asked(self) -> bool:
        """Whether a catch-up was asked for since the last call (the call clears it)."""
        asked = self._catch_up_asked.is_set()
        self._catch_up_asked.clear()
        return asked


def message_days(now: dt.datetime, timezone: str) -> set[dt.date]:
    """The local days a message handled at `now` can count on: today, and yesterday for a reply
    written before midnight and sent after it."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return {today - dt.timedelta(days=1), today}


def message_hook(
    pending: PendingSummaries, zone: Callable[[str], str], clock: Callable[[], dt.datetime]
) -> Callable[[str], None]:
    """What the inbox worker and the outbox sender call with a tenant id after handling its
    messages: marks the tenant's latest days (`message_days`). A failure is logged, never raised:
    the messages are handled, and `kpis rebuild` repairs the summary."""

    def messages_moved(tenant_id: str) -> None:
        try:
            pending.days_changed(tenant_id, message_days(clock(), zone(tenant_id)))
        except Exception:  # the messages are handled; the summary is repairable by a rebuild
            log.exception("could not refresh the message figures of tenant %s", tenant_id)

    return messages_moved
