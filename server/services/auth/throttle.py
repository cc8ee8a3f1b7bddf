"""Failed password checks, counted per user name and per client address, atomically in the database.

Every path that checks a password (login, password change) goes through `admit` *before* it
hashes: holding a per-key advisory lock it counts the key's failures in the last 30 minutes and,
if the attempt may go on, records it at once as a failure (`succeeded` takes it back). So 16
threads racing cannot all read "4 failures" and all hash: the count each sees includes the
others' attempts, and no 6th guess slips through (RELIABILITY S17). The lock is only *tried*:
an attempt that finds another one on the same key being counted that very moment is answered
429 at once, so a storm never holds control-database connections waiting on each other.

Over the limit (5 failures in 30 minutes) a key is slowed, not shut: one attempt a minute,
every other one answered 429 without hashing. A storm of guesses therefore cannot lock the
superadmin out for half an hour, and `comandia-admin user unlock` clears an account's count.

A storm on a slowed key must stay cheap (RELIABILITY L3, 200 wrong logins/s): once the database
has refused a key, this process remembers "slowed until T" (at most `MEMO_SECONDS` ahead) and
refuses the key's next attempts before any database work. The database stays the source of
truth across processes: the memo only repeats a refusal the database gave, so an unlock from
another process (`comandia-admin`) takes effect here within `MEMO_SECONDS`.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.control_models import LoginFailure
from comandia.server.db.sessions import Databases
from comandia.shared.domain.errors import TooManyRequests
from comandia.shared.i18n import N_

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=30)
SLOWED_INTERVAL = dt.timedelta(minutes=1)
"""Over the limit, a key gets one attempt per this interval."""
MEMO_SECONDS = 5
"""How far ahead this process repeats the database's refusal of a key without asking it again."""
MEMO_KEYS = 10_000
"""At most this many refused keys are remembered (a storm from many addresses cannot grow it)."""
THROTTLED = N_("too many failed logins; try again later")


def throttle_keys(username: str, address: str) -> tuple[str, str]:
    """The two keys an attempt counts under: the (lower-cased) user name and the address."""
    return f"user:{username.strip().lower()[:150]}", f"addr:{address[:150]}"


@dataclass(frozen=True)
class Attempt:
    """An admitted attempt: the failure rows recorded for it in advance."""

    keys: tuple[str, ...]
    row_ids: tuple[int, ...]


class LoginThrottle:
    def __init__(self, databases: Databases) -> None:
        self._db = databases
        self._memo = _RefusalMemo()

    def refuse_if_remembered(self, keys: Sequence[str], now: dt.datetime) -> None:
        """Repeat, without the database, a refusal it gave this process for one of `keys` (L3).

        Raises:
            TooManyRequests: a key was refused by the database and is still slowed.
        """
        self._memo.refuse_if_remembered(tuple(keys), now)

    def admit(self, keys: Sequence[str], now: dt.datetime) -> Attempt:
        """Let one attempt through, recording it as a failure until `succeeded` says otherwise.

        Raises:
            TooManyRequests: a key is over the limit and had an attempt less than a minute ago
                (`retry_after` says when the next one may come), or another attempt on it is
                being counted this very moment.
        """
        ordered = tuple(sorted(set(keys)))
        self._memo.refuse_if_remembered(ordered, now)
        with self._db.control_session() as session:
            for key in ordered:
                if not session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(sa.func.hashtextextended(key, 0)))):
                    raise TooManyRequests(THROTTLED, retry_after=1)
            for key in ordered:
                until = _slowed_until(session, key, now)
                if until is not None:
                    self._memo.remember(key, min(until, now + dt.timedelta(seconds=MEMO_SECONDS)), now)
                    raise TooManyRequests(THROTTLED, retry_after=_seconds_until(until, now))
            rows = [LoginFailure(key=key, at=now) for key in ordered]
            session.add_all(rows)
            # rows past the window count for nothing; sweeping them here keeps the table small
            session.execute(
                sa.delete(LoginFailure).where(LoginFailure.key.in_(ordered), LoginFailure.at <= now - FAILURE_WINDOW)
            )
            session.flush()
            attempt = Attempt(ordered, tuple(row.id for row in rows))
            session.commit()
        return attempt

    def forget_refusals(self) -> None:
        """Forget every refusal this process remembers (the failure table was emptied behind its back)."""
        self._memo.clear()

    def succeeded(self, attempt: Attempt, clear_key: str) -> None:
        """The password was right: the attempt was no failure, and `clear_key`'s count starts over."""
        with self._db.control_session() as session:
            session.execute(
                sa.delete(LoginFailure).where(
                    sa.or_(LoginFailure.id.in_(attempt.row_ids), LoginFailure.key == clear_key)
                )
            )
            session.commit()

    def clear(self, key: str) -> int:
        """Forget a key's failures (`comandia-admin user unlock`); returns how many there were."""
        self._memo.forget(key)
        with self._db.control_session() as session:
            cleared = session.scalars(
                sa.delete(LoginFailure).where(LoginFailure.key == key).returning(LoginFailure.id)
            ).all()
            session.commit()
        return len(cleared)


class _RefusalMemo:
    """Keys the database refused, each until when this process may repeat the refusal on its own."""

    def __init__(self) -> None:
        self._until: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()

    def refuse_if_remembered(self, keys: Sequence[str], now: dt.datetime) -> None:
        with self._lock:
            until = max((self._until.get(key, now) for key in keys), default=now)
        if until > now:
            raise TooManyRequests(THROTTLED, retry_after=_seconds_until(until, now))

    def remember(self, key: str, until: dt.datetime, now: dt.datetime) -> None:
        with self._lock:
            if len(self._until) >= MEMO_KEYS:
                # expired entries first; if the memo is still full, start over (it is only a shortcut)
                self._until = {k: t for k, t in self._until.items() if t > now}
                if len(self._until) >= MEMO_KEYS:
                    self._until.clear()
            self._until[key] = until

    def forget(self, key: str) -> None:
        with self._lock:
            self._until.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._until.clear()


def _slowed_until(session: Session, key: str, now: dt.datetime) -> dt.datetime | None:
    """When the key's next attempt may come, if it is over the limit and tried within the interval."""
    count, latest = session.execute(
        sa.select(sa.func.count(), sa.func.max(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at > now - FAILURE_WINDOW
        )
    ).one()
    if count >= MAX_FAILURES and latest is not None and now - latest < SLOWED_INTERVAL:
        return latest + SLOWED_INTERVAL
    return None


def _seconds_until(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))
