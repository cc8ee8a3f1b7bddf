"""The databases of one appliance: the control database, every tenant's, and their servers.

A service opens `with databases.tenant_session(tenant_id) as session:` and commits explicitly;
leaving without commit rolls back. Connection failures come out as `Unavailable`, so the edge
answers 503 and the caller can retry, instead of a bug's 500.

`Databases.within(work)` bounds a request's database work as a whole, for callers that must
answer in time whatever the database does (/readyz). The webhook's one write needs no session:
`tenant_autocommit(tenant_id)` lends it a pooled connection in autocommit, and it keeps its
deadline on its own thread (`engines.database_deadline`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session

from comandia.server.config import ServerConfig
from comandia.server.db.cluster import Cluster
from comandia.server.db.control_models import DbServer, Tenant
from comandia.server.db.engines import (
    ConnectionBudget,
    ConnectOptions,
    DeadlineExceeded,
    TenantEngines,
    answer_timeout,
    create_budgeted_engine,
    normalise_url,
)
from comandia.server.db.secretbox import SecretBox
from comandia.shared.domain.errors import NotFound, Unavailable
from comandia.shared.domain.tenants import TenantState

# The control pool's connections are never reclaimed for tenants, so it stays a small share.
CONTROL_POOL_MAX = 4

_T = TypeVar("_T")


class Databases:
    """Hands out sessions on the control database and on tenant databases, and server handles."""

    def __init__(self, config: ServerConfig, primary_url: URL, box: SecretBox) -> None:
        self.config = config
        self.box = box
        self.primary_url = normalise_url(primary_url)
        self.budget = ConnectionBudget(config.connection_budget, config.budget_wait_seconds)
        self.options = ConnectOptions(config.connect_timeout_seconds, config.statement_timeout_ms)
        self.control_engine: Engine = create_budgeted_engine(
            self.primary_url.set(database=config.control_database), self.budget,
            max(1, min(CONTROL_POOL_MAX, config.connection_budget // 8)), self.options
        )
        # Lazy, as every engine: no connection is opened until a webhook is journaled.
        self.journal_engine: Engine = create_budgeted_engine(
            self.primary_url.set(database=config.control_database), self.budget,
            max(1, min(config.threads, config.connection_budget // 4)), self.options
        )
        self.tenant_engines = TenantEngines(
            self._tenant_url, self.budget, config.tenant_pool_size, config.engine_cache_size,
            config.idle_pool_seconds, self.options,
        )
        self._clusters: dict[int, Cluster] = {}
        self._lock = threading.Lock()
        # Runs `within`'s work; as many workers as the server has request threads, created on use.
        self._workers = max(1, config.threads)
        self._bounded = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="comandia-bounded")
        self._abandoned = 0  # running work whose caller stopped waiting

    @property
    def prefix(self) -> str:
        return self.config.db_prefix

    def primary_cluster(self) -> Cluster:
        return Cluster("main", self.primary_url, self.budget, self.options)

    def cluster(self, server_id: int) -> Cluster:
        """The handle of a registered database server."""
        with self._lock:
            cached = self._clusters.get(server_id)
        if cached is not None:
            return cached
        with self.control_session() as session:
            server = session.get(DbServer, server_id)
            if server is None:
                raise NotFound("database server {server_id} is not registered", server_id=server_id)
            url = normalise_url(self.box.open(server.admin_url_sealed))
            cluster = Cluster(server.name, url, self.budget, self.options)
        with self._lock:
            self._clusters[server_id] = cluster
        return cluster

    def forget_cluster(self, server_id: int) -> None:
        with self._lock:
            self._clusters.pop(server_id, None)

    @contextmanager
    def control_session(self) -> Iterator[Session]:
        with _translated_failures("the control database"), Session(self.control_engine) as session:
            yield session

    @contextmanager
    def tenant_session(self, tenant_id: str) -> Iterator[Session]:
        engine = self.tenant_engines.get(tenant_id)
        with _translated_failures(f"tenant {tenant_id}'s database"), Session(engine) as session:
            yield session

    @contextmanager
    def tenant_autocommit(self, tenant_id: str) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection of the tenant's, in autocommit: each statement is committed when it returns.

        For idempotent writes that need no ORM (the webhook's, the journal's delivery), at the cost
        of one round trip each (`connection.transaction()` groups several). Failures come out as
        `Unavailable`, as from `tenant_session`.
        """
        with _autocommit(self.tenant_engines.get(tenant_id), f"tenant {tenant_id}'s database") as connection:
            yield connection

    @contextmanager
    def journal_autocommit(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection to the control database for the ingest journal, in autocommit.

        Its own pool, as wide as the request threads, so webhooks never wait behind the control
        pool's other users (logins, the number map).
        """
        with _autocommit(self.journal_engine, "the control database") as connection:
            yield connection

    def within(self, work: Callable[[], _T], seconds: float | None = None) -> _T:
        """Run `work` (database work) and return its result, or raise DeadlineExceeded after `seconds`.

        For callers that must answer in time whatever the database does (webhooks, /readyz).
        Opening a connection (libpq waits at least 2 s), waiting for a pooled one or a budget slot,
        and a statement on a connection whose server went silent can each outlast such a caller.
        So the work runs on a worker thread and the caller waits at most `seconds` (default:
        `database_deadline_seconds`). Inside, each wait for a database answer also ends after
        `seconds` (`answer_timeout`), so a silent connection is discarded, not waited on forever.
        Work that finishes after its caller gave up must be harmless: webhook storing is idempotent.

        When every worker is held by work whose caller already gave up, the database is not
        answering: new work fails at once instead of queueing for the full deadline, so request
        threads stay free and a flood of retries cannot pile up behind the outage.

        Raises:
            DeadlineExceeded: the time ran out, or the database is known not to answer right now;
                otherwise whatever `work` raises.
        """
        seconds = self.config.database_deadline_seconds if seconds is None else seconds
        at = time.monotonic() + seconds

        def bounded() -> _T:
            if time.monotonic() >= at:  # queued behind busy workers until its caller gave up
                raise DeadlineExceeded("too late to start")
            with answer_timeout(seconds):
                return work()

        with self._lock:
            if self._abandoned >= self._workers:
                raise DeadlineExceeded("the database is not answering; try again shortly")
        future = self._bounded.submit(bounded)
        try:
            return future.result(timeout=max(at - time.monotonic(), 0.0))
        except FutureTimeout:
            if not future.cancel():  # running: count it until it ends
                with self._lock:
                    self._abandoned += 1
                future.add_done_callback(self._abandoned_work_ended)
            raise DeadlineExceeded(f"the database did not answer within {seconds:g} s; try again shortly") from None

    def _abandoned_work_ended(self, _: Future[Any]) -> None:
        with self._lock:
            self._abandoned -= 1

    def close(self) -> None:
        self._bounded.shutdown(wait=True, cancel_futures=True)
        self.tenant_engines.close_all()
        self.journal_engine.dispose()
        self.control_engine.dispose()

    def _tenant_url(self, tenant_id: str) -> URL:
        with self.control_session() as session:
            tenant = session.get(Tenant, tenant_id)
            if tenant is None or tenant.state == TenantState.DELETED:
                raise NotFound("tenant {tenant_id} does not exist", tenant_id=tenant_id)
            server_id, database, role = tenant.server_id, tenant.database_name, tenant.role_name
            password = self.box.open(tenant.role_password_sealed)
        admin_url = self.cluster(server_id).admin_url
        return admin_url.set(username=role, password=password, database=database)


@contextmanager
def _translated_failures(what: str) -> Iterator[None]:
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        raise Unavailable("{what} is not reachable right now; try again shortly", what=what) from error
    except sa.exc.TimeoutError as error:
        raise Unavailable("{what} is busy (no free connection); try again shortly", what=what) from error


@contextmanager
def _autocommit(engine: Engine, what: str) -> Iterator[psycopg.Connection[Any]]:
    """A pooled psycopg connection of `engine` in autocommit; failures as `Unavailable` naming `what`."""
    with _translated_failures(what):
        try:
            fairy = engine.raw_connection()
        except psycopg.OperationalError as error:  # connecting failed: raw_connection does not wrap it
            raise sa.exc.OperationalError(None, None, error) from error
        try:
            connection = fairy.driver_connection
            assert isinstance(connection, psycopg.Connection)  # noqa: S101 - the only driver
            connection.autocommit = True
            try:
                yield connection
            finally:
                if not connection.closed:
                    connection.autocommit = False  # as the pool's other users expect it
        except psycopg.OperationalError as error:
            fairy.invalidate(error)  # its state is unknown: never lend it again
            raise sa.exc.OperationalError(None, None, error) from error
        finally:
            fairy.close()
