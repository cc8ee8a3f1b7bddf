"""Webhooks for numbers nobody owns: a bounded summary, a bounded rate, a bounded table (RELIABILITY S14).

Such a post cannot be authenticated (no number, so no secret to check it with): anyone can send
one, as fast and as large as they like. So what is kept of each is a summary (its first
`EXCERPT_BYTES`, its size, the sending address; never the whole body), at most
`per_source_per_minute` rows per address and `per_minute` in all, and the table is a ring of
`keep_rows` rows with nothing older than `keep_days`: whatever the flood, the control database
holds at most about `keep_rows` KiB of them. What is over a cap is logged (counted once per
minute), not stored. The webhook is still answered 200, as WHATSAPP.md asks for unknown numbers.

The caps are the appliance's, not a process's: with several server processes (on one host or
several) the rows stored in the last minute are counted in the control database, under an
advisory lock, so N processes store no more than one would. The stored rows are the counters:
the count reads at most `per_minute` rows through the `received_at` index. A flood must stay
cheap past the caps, so once the database has refused a post this process remembers until when
(the moment the oldest counted row leaves the minute, so the memo never refuses longer than the
database would) and refuses the next ones without any database work.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.control_models import UnroutableEvent
from comandia.server.db.sessions import Databases

log = logging.getLogger(__name__)

EXCERPT_BYTES = 1024
_KEY_CHARS = 128
_ALL = "*"
"""The memo's key for the cap in all (a source is an address or "-", never this)."""
_LOCK = sa.func.hashtextextended("comandia:unroutable-caps", 0)
_WINDOW = sa.text("interval '1 minute'")


@dataclass(frozen=True)
class UnroutableLimits:
    per_minute: int = 60
    per_source_per_minute: int = 10
    keep_rows: int = 10_000
    keep_days: int = 30
    tracked_sources: int = 10_000
    """Refused addresses this process remembers; past it the memo starts over (it is only a shortcut)."""

    def __post_init__(self) -> None:
        # The last minute's rows are the counters: a ring smaller than them would forget what it counts.
        if self.per_minute > self.keep_rows:
            raise ValueError(f"per_minute ({self.per_minute}) must not exceed keep_rows ({self.keep_rows})")


@dataclass(frozen=True)
class _Room:
    """The last minute's stored rows, in all and from one source, and when each count next drops."""

    total: int
    from_source: int
    total_frees_in: float
    source_frees_in: float


class UnroutableLog:
    """Keeps summaries of unroutable webhooks within `UnroutableLimits`, counted on the whole appliance."""

    def __init__(
        self, databases: Databases, limits: UnroutableLimits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._db = databases
        self.limits = limits or UnroutableLimits()
        self._clock = clock
        self._memo = _RefusalMemo(self.limits.tracked_sources)
        self._lock = threading.Lock()
        self._minute = -1.0
        self._dropped = 0

    def keep(self, provider: str, reason: str, key: str | None, body: bytes, source: str | None) -> bool:
        """Store a summary unless a cap is reached; returns whether it was stored."""
        memo_key, source = source or "-", _printable(source)
        if self._memo.refuses((_ALL, memo_key), self._clock()):
            self._count_dropped()
            return False
        with self._db.control_session() as session:
            # One process at a time counts and inserts, so two cannot both take the last place.
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK)))
            room = _room(session, source)
            if room.total >= self.limits.per_minute or room.from_source >= self.limits.per_source_per_minute:
                session.rollback()
                self._remember(room, memo_key)
                self._count_dropped()
                return False
            row = UnroutableEvent(
                provider=provider,
                reason=reason[:200],
                routing_key=_printable(key),
                body_excerpt=body[:EXCERPT_BYTES],
                size_bytes=len(body),
                source=source,
            )
            session.add(row)
            session.flush()
            # The ring: whatever is older than the newest `keep_rows`, or than `keep_days`, goes.
            # Both conditions use an index (the primary key, received_at), so this stays cheap.
            cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.limits.keep_days)
            session.execute(
                sa.delete(UnroutableEvent).where(
                    sa.or_(UnroutableEvent.id <= row.id - self.limits.keep_rows, UnroutableEvent.received_at < cutoff)
                )
            )
            session.commit()
        return True

    def _remember(self, room: _Room, source: str) -> None:
        now = self._clock()
        if room.total >= self.limits.per_minute:
            self._memo.remember(_ALL, now + room.total_frees_in)
        if room.from_source >= self.limits.per_source_per_minute:
            self._memo.remember(source, now + room.source_frees_in)

    def _count_dropped(self) -> None:
        now = self._clock()
        with self._lock:
            if now - self._minute >= 60:
                if self._dropped:
                    log.warning("unroutable webhooks: %d over the caps in the last minute, not stored", self._dropped)
                self._minute, self._dropped = now, 0
            self._dropped += 1


def _room(session: Session, source: str | None) -> _Room:
    """Count the rows stored in the last minute, by anyone; `source` as stored (None: no address)."""
    recent = UnroutableEvent.received_at > sa.func.clock_timestamp() - _WINDOW
    mine = UnroutableEvent.source.is_not_distinct_from(source)
    frees = sa.func.extract("epoch", sa.func.min(UnroutableEvent.received_at) + _WINDOW - sa.func.clock_timestamp())
    frees_mine = sa.func.extract(
        "epoch", sa.func.min(UnroutableEvent.received_at).filter(mine) + _WINDOW - sa.func.clock_timestamp()
    )
    total, from_source, total_frees, source_frees = session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(mine), frees, frees_mine).where(recent)
    ).one()
    return _Room(int(total), int(from_source), float(total_frees or 0), float(source_frees or 0))


class _RefusalMemo:
    """Caps the database said were full, each until when this process may repeat that on its own."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def refuses(self, keys: tuple[str, ...], now: float) -> bool:
        with self._lock:
            return any(self._until.get(key, now) > now for key in keys)

    def remember(self, key: str, until: float) -> None:
        with self._lock:
            if len(self._until) >= self._size and key not in self._until:
                self._until.clear()
            self._until[key] = until


def _printable(text: str | None) -> str | None:
    """`text` cut to a column's width, with what a text column cannot hold (NUL) or a log line
    should not carry (control characters) escaped."""
    if text is None:
        return None
    escaped = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else "?" for c in text[:_KEY_CHARS])
    return escaped[:_KEY_CHARS]
