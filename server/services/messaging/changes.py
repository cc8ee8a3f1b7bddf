"""The changes feed: what the console must redraw (new orders, status changes, chats waiting).

Writers append a row in their own transaction (`append`), so a change is in the feed if and only
if it committed. Readers ask for the rows after a cursor (`ChangeFeed.since`): one primary-key
range scan, an empty page when nothing changed, and no thread or connection held between polls,
so any number of consoles and server processes share it.

Ids come from an identity column, and a plain identity can commit out of order: transaction A takes
id 7, B takes 8 and commits, a reader sees 8 and moves its cursor past 7, then A commits and 7 is
never read. So every writer takes the tenant database's "changes" advisory lock, held until its
transaction ends, before taking an id: ids are taken and committed one writer at a time, in order.
Appending is the last thing a writer does, so the lock is held for the commit alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.pipelines import pipelined
from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Change
from comandia.shared.domain.times import utcnow
from comandia.shared.schemas.conversations import ChangeEntry, ChangePage
from comandia.shared.schemas.orders import OrderDetail

LOCK_KEY = 0x0C4A_96E5  # any constant: one advisory lock per tenant database
PAGE = 500
KEEP = dt.timedelta(days=2)


_APPEND = (
    "SELECT pg_advisory_xact_lock(%(key)s::bigint)",
    "INSERT INTO changes (kind, ref, detail) VALUES (%(kind)s, %(ref)s, %(detail)s)",
)


def append(session: Session, kind: str, ref: str, detail: str = "") -> None:
    """Add one change in the caller's transaction (call it last: the lock lasts until commit).

    The lock and the row go in one round trip: the lock is still taken before the row's id.
    """
    params = {"key": LOCK_KEY, "kind": kind, "ref": ref[:64], "detail": detail[:32]}
    with pipelined(session) as pipeline:
        for statement in _APPEND:
            pipeline.execute(statement, params)


class ChangeFeed:
    """Reads a tenant's changes after a cursor.

    Args:
        databases: the appliance's databases.
        clock: the current instant (pruning).
    """

    def __init__(self, databases: Databases, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._db = databases
        self._clock = clock

    def since(self, tenant_id: str, cursor: int | None) -> ChangePage:
        """The changes after `cursor`, oldest first (at most `PAGE`); None: only the current cursor.

        A cursor ahead of the feed (another database, a restore) or older than what is kept
        answers `reset`: the caller reloads everything and goes on from the returned cursor.
        """
        with self._db.tenant_session(tenant_id) as session:
            last = session.scalar(sa.select(sa.func.max(Change.id))) or 0
            if cursor is None:
                return ChangePage(items=(), cursor=last)
            if cursor > last:
                return ChangePage(items=(), cursor=last, reset=True)
            if cursor == last:
                return ChangePage(items=(), cursor=last)
            rows = list(session.scalars(sa.select(Change).where(Change.id > cursor).order_by(Change.id).limit(PAGE)))
            first = session.scalar(sa.select(sa.func.min(Change.id)))
        if first is not None and cursor < first - 1:
            return ChangePage(items=(), cursor=last, reset=True)
        items = tuple(ChangeEntry(id=r.id, kind=r.kind, ref=r.ref, detail=r.detail, at=r.at) for r in rows)
        return ChangePage(items=items, cursor=rows[-1].id if rows else cursor)

    def prune(self, tenant_id: str) -> int:
        """Drop changes older than `KEEP`; returns how many. A console that old reloads anyway."""
        with self._db.tenant_session(tenant_id) as session:
            result = session.execute(sa.delete(Change).where(Change.at < self._clock() - KEEP))
            session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


def order_hook(session: Session, tenant_id: str, before: OrderDetail | None, after: OrderDetail) -> None:
    """An `OrderService` on_change hook (chained last): a new order or a status change is a change."""
    if before is None or before.status != after.status:
        append(session, "order", str(after.id), after.status)
