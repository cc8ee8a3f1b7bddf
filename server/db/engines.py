"""Engines for the control database and every tenant database, under one connection budget.

A PostgreSQL server holds a process per connection, so COMANDIA caps the connections it keeps
open across all databases (`connection_budget`, default 40) whatever the number of tenants.
Each tenant gets a small pool, created when first used; pools of tenants that went idle, or
that fall off the least-recently-used end, are closed so that their connections can serve
others. A request that finds the budget spent waits `budget_wait_seconds` for a connection to
come free and then fails with `Unavailable`: the budget is never exceeded.

Connections are not pinged on checkout (that cost a round trip on every request, a webhook's
included). A connection that died under us (PostgreSQL restarted) fails its request with a
disconnect error, which the edge answers 503; SQLAlchemy then invalidates that pool, so the next
request reconnects. `pool_recycle` replaces connections before a firewall or server idle
timeout would drop them silently.

`statement_timeout` is enforced by the server, so it cannot help when the server's answer never
comes (a network blackhole, a stalled proxy that still acknowledges every byte): the client would
wait forever. Under `answer_timeout(seconds)` the client stops waiting after `seconds` instead;
the connection, its protocol state unknown, is closed, and SQLAlchemy discards it (and recycles
the rest of that pool) as it does any disconnect.

Under `database_deadline(seconds)` all of a request's database work ends by one instant, on the
request's own thread: the wait for a budget slot, for a pooled connection, for a new connection
to open, and for each answer. Past it the work fails with `DeadlineExceeded` (a 503); an exchange
cut short closes its connection as above. Only opening a connection runs on another thread (the
`connector` the composition root gives), and only when it could outlast the deadline: libpq's
`connect_timeout` cannot be shorter than 2 s.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
import sqlalchemy as sa
from psycopg.abc import PQGen
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlalchemy.util.queue import Empty

from comandia.shared.domain.errors import Unavailable

RECYCLE_SECONDS = 1800
# psycopg's own polling interval while it waits for the server (it checks for Ctrl-C as often).
_WAIT_INTERVAL = 0.1

_RV = TypeVar("_RV")
_answer_timeout: ContextVar[float | None] = ContextVar("comandia_answer_timeout", default=None)
_deadline: ContextVar[float | None] = ContextVar("comandia_database_deadline", default=None)


class DeadlineExceeded(Unavailable):
    """The database work did not finish within the caller's deadline (it may still finish later)."""


@contextmanager
def database_deadline(seconds: float) -> Iterator[None]:
    """Inside, this thread's database work (slots, checkouts, connects, answers) ends `seconds` from now.

    Work cut short fails as `Unavailable` (`DeadlineExceeded`, or a closed connection's error).
    """
    at = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(at if outer is None else min(at, outer))
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left() -> float | None:
    """Seconds left before the current `database_deadline` (None outside one)."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


def _over() -> DeadlineExceeded:
    return DeadlineExceeded("the database did not answer in time; try again shortly")


@contextmanager
def answer_timeout(seconds: float) -> Iterator[None]:
    """Inside, waiting for any one answer from the database on this thread ends after `seconds`."""
    token = _answer_timeout.set(seconds)
    try:
        yield
    finally:
        _answer_timeout.reset(token)


class BoundedWaitConnection(psycopg.Connection[Any]):
    """A psycopg connection that gives up on a silent server after the current `answer_timeout`.

    psycopg runs every query, commit and rollback through `wait`, whose optional timeout bounds
    the whole exchange. The bound is per exchange, not a deadline for the caller's work: an
    exchange that starts late still gets its full time, so a healthy connection is never thrown
    away for the caller's lateness. (Connecting does not come here: `connect_timeout` bounds it.)
    """

    def wait(self, gen: PQGen[_RV], interval: float = _WAIT_INTERVAL, timeout: float | None = None) -> _RV:
        limit = _answer_timeout.get()
        left = time_left()
        if left is not None:
            if left <= 0:  # nothing sent yet: the connection stays as it was
                raise psycopg.OperationalError("the database deadline has passed")
            limit = left if limit is None else min(limit, left)
        if limit is None:
            return super().wait(gen, interval, timeout)
        started = time.monotonic()
        try:
            return super().wait(gen, interval, limit if timeout is None else min(timeout, limit))
        except psycopg.OperationalError:
            if time.monotonic() - started < limit:
                raise
            # The answer may still come, into a protocol state nobody tracks: never reuse this
            # connection. Closed, it reads as a disconnect to SQLAlchemy, which discards it.
            self.close()
            raise psycopg.OperationalError(f"the database did not answer within {limit:g} s") from None


class BudgetExhausted(Unavailable):
    """Every connection COMANDIA may hold is in use and none came free in time."""


class ConnectionBudget:
    """Counts open server connections; `acquire` blocks (boundedly) when the limit is reached."""

    def __init__(self, limit: int, wait_seconds: float) -> None:
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.in_use = 0
        self.peak = 0
        self._condition = threading.Condition()
        # Set by the engine registry: closes an idle pool and says whether it freed anything.
        self.reclaim: Callable[[], bool] = lambda: False

    def acquire(self) -> None:
        """Take one slot or raise BudgetExhausted after `wait_seconds` (or at the `database_deadline`)."""
        left = time_left()
        deadline = time.monotonic() + (self.wait_seconds if left is None else min(self.wait_seconds, left))
        while True:
            with self._condition:
                if self.in_use < self.limit:
                    self.in_use += 1
                    self.peak = max(self.peak, self.in_use)
                    return
            # Outside the lock: reclaiming closes connections, which calls release().
            if self.reclaim():
                continue
            with self._condition:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BudgetExhausted(
                        "all {limit} database connections are busy; try again shortly", limit=self.limit
                    )
                if self.in_use >= self.limit:
                    self._condition.wait(min(remaining, 0.05))

    def release(self) -> None:
        with self._condition:
            self.in_use -= 1
            self._condition.notify()


@dataclass(frozen=True)
class ConnectOptions:
    """How every connection is opened: timeouts keep a dead server from hanging a request.

    `pooler` is the (host, port) of a PgBouncer in transaction mode: connections to it prepare
    no statements (a prepared statement lives on one server connection, and the next
    transaction may get another) and send no `options` startup parameter (PgBouncer refuses
    it; its `connect_query` sets the statement timeout instead, docs/scaling.md). `connector`
    opens connections that could outlast their caller's deadline (see `_connect_in_time`);
    without one, libpq's `connect_timeout` bounds them.
    """

    connect_timeout_seconds: int = 5
    statement_timeout_ms: int = 15_000
    application_name: str = "comandia"
    pooler: tuple[str, int] | None = None
    connector: Executor | None = field(default=None, compare=False)

    def behind_pooler(self, url: URL) -> bool:
        return self.pooler is not None and (url.host or "", url.port or 5432) == self.pooler


def normalise_url(url: str | URL) -> URL:
    """A SQLAlchemy URL for the psycopg 3 driver, whatever scheme the operator wrote."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


def libpq_conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_budgeted_engine(url: URL, budget: ConnectionBudget, pool_size: int, options: ConnectOptions) -> Engine:
    """An engine whose every physical connection holds one budget slot while it is open."""
    engine = sa.create_engine(
        url,
        creator=budgeted_connector(url, budget, options),
        poolclass=ReclaimablePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=budget.wait_seconds,
        pool_recycle=RECYCLE_SECONDS,
        # A failed statement's error (logged with its traceback as a bug) would otherwise carry
        # its parameters: passwords being checked, token hashes, customers' phones (S11).
        hide_parameters=True,
    )
    _release_budget_on_close(engine, budget)
    return engine


def budgeted_connector(
    url: URL, budget: ConnectionBudget, options: ConnectOptions
) -> Callable[[], psycopg.Connection[Any]]:
    """Opens a `BoundedWaitConnection` to `url` holding one budget slot (the caller releases it
    when the connection closes), within the current `database_deadline`."""
    conninfo = libpq_conninfo(url)
    extra: dict[str, Any] = (
        {"prepare_threshold": None}
        if options.behind_pooler(url)
        else {"options": f"-c statement_timeout={options.statement_timeout_ms}"}
    )

    def open_connection() -> psycopg.Connection[Any]:
        return BoundedWaitConnection.connect(
            conninfo,
            connect_timeout=options.connect_timeout_seconds,
            application_name=options.application_name,
            **extra,
        )

    def connect() -> psycopg.Connection[Any]:
        budget.acquire()
        left = time_left()
        if left is not None and left < options.connect_timeout_seconds and options.connector is not None:
            return _connect_in_time(options.connector, open_connection, left, budget)
        try:
            return open_connection()
        except BaseException:
            budget.release()
            raise

    return connect


def _connect_in_time(
    connector: Executor,
    open_connection: Callable[[], psycopg.Connection[Any]],
    seconds: float,
    budget: ConnectionBudget,
) -> psycopg.Connection[Any]:
    """`open_connection()` (holding a budget slot already), given up after `seconds`.

    On another thread, since libpq will not time out sooner than 2 s. A connection that opens
    after its caller gave up is closed, and only then is its slot released: the budget counts
    every connection that may exist.
    """
    if seconds <= 0:
        budget.release()
        raise _over()
    future = connector.submit(open_connection)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:

        def late(done: Future[psycopg.Connection[Any]]) -> None:
            if done.exception() is None:
                done.result().close()
            budget.release()

        future.add_done_callback(late)
        raise _over() from None
    except BaseException:
        budget.release()
        raise


class ReclaimablePool(QueuePool):
    """A QueuePool that can close one of its idle connections, so that slot serves another tenant.

    Its checkout wait (`pool_timeout`) ends at the `database_deadline` when that comes sooner.
    """

    _wait_seconds: float = 30.0

    @property
    def _timeout(self) -> float:
        left = time_left()
        return self._wait_seconds if left is None else max(0.0, min(self._wait_seconds, left))

    @_timeout.setter
    def _timeout(self, seconds: float) -> None:
        self._wait_seconds = seconds

    def recreate(self) -> QueuePool:
        pool = super().recreate()
        pool._timeout = self._wait_seconds  # not a deadline's remainder
        return pool

    _disposed = False

    def dispose(self) -> None:
        """Close the idle connections; those lent out are closed when they come back.

        QueuePool would put a lent connection back into this pool, which nothing uses any more
        (the engine was dropped: a move, a deactivation, a pooler change), so it stayed open, and
        held its budget place, until the garbage collector found it.
        """
        self._disposed = True
        super().dispose()

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        if not self._disposed:
            super()._do_return_conn(record)
            return
        try:  # as QueuePool does with a connection returned to a full pool
            record.close()
        finally:
            self._dec_overflow()

    def close_one_idle(self) -> bool:
        """Close one idle connection; False when none was open. The pool reopens one when needed."""
        while True:
            try:
                record = self._pool.get(False)
            except Empty:
                return False
            # As QueuePool does with a connection returned to a full pool: close it, count it out.
            opened = record.dbapi_connection is not None
            try:
                record.close()
            finally:
                self._dec_overflow()
            if opened:
                return True


def _release_budget_on_close(engine: Engine, budget: ConnectionBudget) -> None:
    def released(*_: object) -> None:
        budget.release()

    event.listen(engine.pool, "close", released)
    event.listen(engine.pool, "close_detached", released)


TRAFFIC_WINDOW_SECONDS = 10.0
"""How long a tenant's uses are counted for `TenantEngines.reclaim_one`'s choice of whose connection to close."""


@dataclass
class _Entry:
    engine: Engine
    last_used: float
    uses: int = 0
    """Engine lookups in the current traffic window."""
    earlier_uses: int = 0
    """Engine lookups in the last complete traffic window: what the tenant is ranked by."""

    def keep_rank(self, tenant_id: str) -> tuple[int, str]:
        """Lower is closed first: the quieter tenant (by powers of two of its uses, so that tenants
        of about the same traffic rank the same), then a fixed order among equals."""
        return self.earlier_uses.bit_length(), tenant_id


class TenantEngines:
    """Hands out one engine per tenant, bounded in number and in connections.

    Args:
        resolve: tenant id -> the URL of its database with its own role (raises NotFound), and the
            options to open it with (those of its server's pooler, if it has one).
        budget: the connection budget shared with the control engine.
        pool_size: connections one tenant may hold at once.
        capacity: engines kept at most; the least recently used idle one is closed beyond it.
        idle_seconds: a pool unused this long is closed by `close_idle`.
    """

    def __init__(
        self,
        resolve: Callable[[str], tuple[URL, ConnectOptions]],
        budget: ConnectionBudget,
        pool_size: int,
        capacity: int,
        idle_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolve = resolve
        self._budget = budget
        self._pool_size = pool_size
        self._capacity = capacity
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._forgets = 0  # counts `forget` calls, so `get` can tell that its URL may be stale
        self._window_started = clock()
        budget.reclaim = self.reclaim_one

    def get(self, tenant_id: str) -> Engine:
        """The tenant's engine, created on first use."""
        with self._lock:
            entry = self._entries.get(tenant_id)
            if entry is not None:
                entry.last_used = now = self._clock()
                entry.uses += 1
                if now - self._window_started >= TRAFFIC_WINDOW_SECONDS:
                    self._start_traffic_window(now)
                self._entries.move_to_end(tenant_id)
                return entry.engine
        while True:
            with self._lock:
                epoch = self._forgets
            url, options = self._resolve(tenant_id)  # outside the lock: it queries the control database
            engine = create_budgeted_engine(url, self._budget, self._pool_size, options)
            with self._lock:
                existing = self._entries.get(tenant_id)
                if existing is not None:
                    engine.dispose()
                    return existing.engine
                if self._forgets == epoch:
                    self._entries[tenant_id] = _Entry(engine, self._clock())
                    self._evict_over_capacity()
                    return engine
            # A `forget` ran while the URL was being read: it may be the old server's (a move
            # switched the registry meanwhile). Caching it would keep writing there: read again.
            engine.dispose()

    def server_of(self, tenant_id: str) -> str:
        """ "host:port" of the server holding the tenant's database (its engine is created if need be)."""
        url = self.get(tenant_id).url
        return f"{url.host}:{url.port}"

    def forget(self, tenant_id: str) -> None:
        """Close the tenant's pool and drop its engine (deactivation, move, deletion)."""
        with self._lock:
            entry = self._entries.pop(tenant_id, None)
            self._forgets += 1
        if entry is not None:
            entry.engine.dispose()

    def forget_all(self) -> None:
        """Close every tenant's pool and drop every engine (a server's pooler changed)."""
        with self._lock:
            entries = list(self._entries.values())
            self._entries.clear()
            self._forgets += 1
        for entry in entries:
            entry.engine.dispose()

    def close_idle(self) -> int:
        """Close pools unused for `idle_seconds`; returns how many were closed."""
        cutoff = self._clock() - self._idle_seconds
        with self._lock:
            stale = [
                tid
                for tid, e in self._entries.items()
                if e.last_used < cutoff and e.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
            ]
            entries = [self._entries.pop(tid) for tid in stale]
        for entry in entries:
            entry.engine.dispose()
        return len(entries)

    def reclaim_one(self) -> bool:
        """Close one idle connection of the quietest tenant that has one, so its slot serves another.

        One connection, not the tenant's whole pool. Which tenant: the one with the least traffic
        in the last complete window (`TRAFFIC_WINDOW_SECONDS`, counted in powers of two), and
        among tenants of about the same traffic always the same ones (a fixed order), so the
        busiest tenants, and with even traffic a fixed set of them, stay connected while the
        rest take turns on the remaining slots. Neither least recently used nor random: the
        journal's drain visits every tenant with rows once a pass, in the same order, and
        webhooks spread round-robin over more tenants than the budget; under that cyclic use
        the least recently used tenant is the next one to need its connection (every visit
        reopens), and a random one is nearly as bad (simulated, 50 tenants on 16 slots: 5 % of visits
        found their connection open, against 30 % when the same 15 stay; 22 % against 50 % on
        26 slots). With more tenants than the budget some reconnecting is unavoidable.
        """
        with self._lock:
            ranked = sorted(self._entries.items(), key=lambda item: item[1].keep_rank(item[0]))
            pools = [entry.engine.pool for _, entry in ranked]
        return any(isinstance(pool, ReclaimablePool) and pool.close_one_idle() for pool in pools)

    def close_all(self) -> None:
        self.forget_all()

    def __len__(self) -> int:
        return len(self._entries)

    def _start_traffic_window(self, now: float) -> None:
        # Caller holds the lock. A few hundred engines at most, once per window.
        for entry in self._entries.values():
            entry.earlier_uses, entry.uses = entry.uses, 0
        self._window_started = now

    def _evict_over_capacity(self) -> None:
        # Caller holds the lock. Engines with connections checked out are skipped, not broken.
        excess = len(self._entries) - self._capacity
        for tenant_id in list(self._entries):
            if excess <= 0:
                break
            entry = self._entries[tenant_id]
            if entry.engine.pool.checkedout() == 0:  # type: ignore[attr-defined]
                del self._entries[tenant_id]
                entry.engine.dispose()
                excess -= 1
