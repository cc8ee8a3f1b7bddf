"""A pool of plain psycopg connections in autocommit, for the ingest journal's one hot statement.

Every webhook takes a connection, runs one INSERT and gives it back. Through a SQLAlchemy pool
that cost a checkout and a checkin with their events and bookkeeping, switching autocommit on and
off again, and the pool's reset; in a py-spy profile of the request process under load (6
December, 50 tenants) the checkout and checkin took about 10 % of the interpreter, more than the
INSERT itself. Here a connection is opened once in autocommit and lent as it is: the stack of idle
connections and a count under one lock. What the engines give every connection stays the same:
each holds a slot of the `ConnectionBudget` while it is open, is opened as `BoundedWaitConnection`
(the request's `database_deadline` bounds every answer, see engines.py), and the wait for a free
connection ends at that deadline too.

A connection that failed (its state unknown) or was left inside a transaction is closed, never
lent again, and so is one older than `RECYCLE_SECONDS`.

psycopg_pool was tried in its place and measured no faster; it cannot hold budget slots through
its public interface (docs/architecture.md, "Why the journal's pool is not psycopg_pool").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy.engine import URL

from comandia.server.db.engines import (
    RECYCLE_SECONDS,
    ConnectionBudget,
    ConnectOptions,
    budgeted_connector,
    time_left,
)
from comandia.shared.domain.errors import Unavailable


class DirectPool:
    """At most `size` autocommit connections to `url`, lent one at a time.

    Args:
        url: the database (the control database, for the journal).
        budget: the process's connection budget; every open connection holds one slot.
        size: connections at most (the request threads, or fewer on a small budget share).
        options: how connections are opened (timeouts, pooler), as for the engines.
        what: how failures name the database ("the control database").
    """

    def __init__(
        self,
        url: URL,
        budget: ConnectionBudget,
        size: int,
        options: ConnectOptions,
        what: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.server = f"{url.host}:{url.port}"
        """"host:port", the key of this database's server for `SilentServers`."""
        self._connect = budgeted_connector(url, budget, options)
        self._budget = budget
        self._size = max(1, size)
        self._wait_seconds = budget.wait_seconds
        self._what = what
        self._clock = clock
        self._idle: list[tuple[psycopg.Connection[Any], float]] = []
        self._opened = 0
        self._closed = False
        self._changed = threading.Condition()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection in autocommit: each statement is committed when it returns.

        Raises:
            Unavailable: no connection within the deadline (or `budget_wait_seconds`), or the
                database failed; the connection is then closed.
        """
        connection, opened_at = self._take()
        healthy = False
        try:
            yield connection
            healthy = True
        except psycopg.OperationalError as error:
            raise unreachable(self._what) from error
        finally:
            self._give_back(connection, opened_at, healthy)

    def close(self) -> None:
        """Close the idle connections; those lent out are closed when they come back."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection, _ in idle:
            _close_quietly(connection, self._budget)

    def _take(self) -> tuple[psycopg.Connection[Any], float]:
        left = time_left()
        give_up = self._clock() + (self._wait_seconds if left is None else min(self._wait_seconds, left))
        with self._changed:
            while True:
                while self._idle:
                    connection, opened_at = self._idle.pop()
                    if self._clock() - opened_at < RECYCLE_SECONDS:
                        return connection, opened_at
                    self._opened -= 1
                    self._changed.release()  # closing takes a round trip: not under the lock
                    try:
                        _close_quietly(connection, self._budget)
                    finally:
                        self._changed.acquire()
                if self._opened < self._size:
                    self._opened += 1
                    break
                remaining = give_up - self._clock()
                if remaining <= 0:
                    raise busy(self._what)
                self._changed.wait(remaining)
        try:
            return self._open(), self._clock()
        except BaseException:
            with self._changed:
                self._opened -= 1
                self._changed.notify()
            raise

    def _open(self) -> psycopg.Connection[Any]:
        try:
            connection = self._connect()
        except psycopg.OperationalError as error:
            raise unreachable(self._what) from error
        connection.autocommit = True
        return connection

    def _give_back(self, connection: psycopg.Connection[Any], opened_at: float, healthy: bool) -> None:
        reusable = healthy and not connection.closed and connection.info.transaction_status == TransactionStatus.IDLE
        with self._changed:
            if reusable and not self._closed:
                self._idle.append((connection, opened_at))
                self._changed.notify()
                return
            self._opened -= 1
            self._changed.notify()
        _close_quietly(connection, self._budget)


def unreachable(what: str) -> Unavailable:
    """The failure of a database that did not answer or broke the connection, naming it as `what`."""
    return Unavailable("{what} is not reachable right now; try again shortly", what=what)


def busy(what: str) -> Unavailable:
    """The failure of a wait for a free connection to `what` that ran out of time."""
    return Unavailable("{what} is busy (no free connection); try again shortly", what=what)


def _close_quietly(connection: psycopg.Connection[Any], budget: ConnectionBudget) -> None:
    """Close `connection` and give its budget slot back, whatever state it is in."""
    try:
        connection.close()
    except psycopg.Error:
        pass  # closing a broken connection: nothing left to do but free its slot
    finally:
        budget.release()
