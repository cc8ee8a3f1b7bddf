"""Webhooks for numbers nobody owns: a bounded summary, a bounded rate, a bounded table (RELIABILITY S14).

Such a post cannot be authenticated (no number, so no secret to check it with): anyone can send
one, as fast and as large as they like. So what is kept of each is a summary (its first
`EXCERPT_BYTES`, its size, the sending address; never the whole body), at most
`per_source_per_minute` rows per address and `per_minute` in all, and the table is a ring of
`keep_rows` rows with nothing older than `keep_days`: whatever the flood, the control database
holds at most about `keep_rows` KiB of them. What is over a cap is logged (counted once per
minute), not stored. The webhook is still answered 200, as WHATSAPP.md asks for unknown numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from comandia.server.db.control_models import UnroutableEvent
from comandia.server.db.sessions import Databases

log = logging.getLogger(__name__)

EXCERPT_BYTES = 1024
_KEY_CHARS = 128


@dataclass(frozen=True)
class UnroutableLimits:
    per_minute: int = 60
    per_source_per_minute: int = 10
    keep_rows: int = 10_000
    keep_days: int = 30
    tracked_sources: int = 10_000
    """Addresses remembered per minute; past it every new address counts as over its cap."""


class UnroutableLog:
    """Keeps summaries of unroutable webhooks within `UnroutableLimits`."""

    def __init__(self, databases: Databases, limits: UnroutableLimits | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._db = databases
        self.limits = limits or UnroutableLimits()
        self._clock = clock
        self._lock = threading.Lock()
        self._minute = -1.0
        self._total = 0
        self._by_source: dict[str, int] = {}
        self._dropped = 0

    def keep(self, provider: str, reason: str, key: str | None, body: bytes, source: str | None) -> bool:
        """Store a summary unless a cap is reached; returns whether it was stored."""
        if not self._admit(source or "-"):
            return False
        row = UnroutableEvent(provider=provider, reason=reason[:200], routing_key=_printable(key),
                              body_excerpt=body[:EXCERPT_BYTES], size_bytes=len(body), source=_printable(source))
        with self._db.control_session() as session:
            session.add(row)
            session.flush()
            # The ring: whatever is older than the newest `keep_rows`, or than `keep_days`, goes.
            # Both conditions use an index (the primary key, received_at), so this stays cheap.
            cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.limits.keep_days)
            session.execute(sa.delete(UnroutableEvent).where(sa.or_(
                UnroutableEvent.id <= row.id - self.limits.keep_rows, UnroutableEvent.received_at < cutoff)))
            session.commit()
        return True

    def _admit(self, source: str) -> bool:
        now = self._clock()
        with self._lock:
            if now - self._minute >= 60:
                if self._dropped:
                    log.warning("unroutable webhooks: %d over the caps in the last minute, not stored",
                                self._dropped)
                self._minute, self._total, self._dropped = now, 0, 0
                self._by_source.clear()
            seen = self._by_source.get(source)
            admitted = (self._total < self.limits.per_minute
                        and (seen or 0) < self.limits.per_source_per_minute
                        and (seen is not None or len(self._by_source) < self.limits.tracked_sources))
            if admitted:
                self._total += 1
                self._by_source[source] = (seen or 0) + 1
            else:
                self._dropped += 1
            return admitted


def _printable(text: str | None) -> str | None:
    """`text` cut to a column's width, with what a text column cannot hold (NUL) or a log line
    should not carry (control characters) escaped."""
    if text is None:
        return None
    escaped = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else "?" for c in text[:_KEY_CHARS])
    return escaped[:_KEY_CHARS]
