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
"""

from __future__ import annotations

import datetime as dt
import math
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

    def admit(self, keys: Sequence[str], now: dt.datetime) -> Attempt:
        """Let one attempt through, recording it as a failure until `succeeded` says otherwise.

        Raises:
            TooManyRequests: a key is over the limit and had an attempt less than a minute ago
                (`retry_after` says when the next one may come), or another attempt on it is
                being counted this very moment.
        """
        ordered = tuple(sorted(set(keys)))
        with self._db.control_session() as session:
            for key in ordered:
                if not session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(
                        sa.func.hashtextextended(key, 0)))):
                    raise TooManyRequests(THROTTLED, retry_after=1)
            for key in ordered:
                _refuse_if_slowed(session, key, now)
            rows = [LoginFailure(key=key, at=now) for key in ordered]
            session.add_all(rows)
            # rows past the window count for nothing; sweeping them here keeps the table small
            session.execute(sa.delete(LoginFailure).where(LoginFailure.key.in_(ordered),
                                                          LoginFailure.at <= now - FAILURE_WINDOW))
            session.flush()
            attempt = Attempt(ordered, tuple(row.id for row in rows))
            session.commit()
        return attempt

    def succeeded(self, attempt: Attempt, clear_key: str) -> None:
        """The password was right: the attempt was no failure, and `clear_key`'s count starts over."""
        with self._db.control_session() as session:
            session.execute(sa.delete(LoginFailure).where(sa.or_(
                LoginFailure.id.in_(attempt.row_ids), LoginFailure.key == clear_key)))
            session.commit()

    def clear(self, key: str) -> int:
        """Forget a key's failures (`comandia-admin user unlock`); returns how many there were."""
        with self._db.control_session() as session:
            cleared = session.scalars(sa.delete(LoginFailure).where(LoginFailure.key == key)
                                      .returning(LoginFailure.id)).all()
            session.commit()
        return len(cleared)


def _refuse_if_slowed(session: Session, key: str, now: dt.datetime) -> None:
    count, latest = session.execute(
        sa.select(sa.func.count(), sa.func.max(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at > now - FAILURE_WINDOW)
    ).one()
    if count >= MAX_FAILURES and latest is not None and now - latest < SLOWED_INTERVAL:
        wait = max(1, math.ceil((latest + SLOWED_INTERVAL - now).total_seconds()))
        raise TooManyRequests(THROTTLED, retry_after=wait)
