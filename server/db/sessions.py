"""The databases of one appliance: the control database, every tenant's, and their servers.

A service opens `with databases.tenant_session(tenant_id) as session:` and commits explicitly;
leaving without commit rolls back. Connection failures come out as `Unavailable`, so the edge
answers 503 and the caller can retry, instead of a bug's 500.

Callers that must answer in time whatever the database does (webhooks, /readyz) bound their
work with `engines.database_deadline`, on their own thread. The webhook's one write needs no
session: `tenant_autocommit(tenant_id)` lends it a pooled connection in autocommit.

Tenants on a database server with a pooler (a PgBouncer in transaction mode) are reached through
it: the server's own `pooler_url` in the registry (`comandia-admin server pooler`), or for the
primary server `tenant_pooler_url` when the registry names none. The control database is always
reached directly: it holds advisory locks and LISTENs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session

from comandia.server.config import ServerConfig
from comandia.server.db.cluster import Cluster
from comandia.server.db.control_models import DbServer, Tenant
from comandia.server.db.direct_pool import DirectPool, busy, unreachable
from comandia.server.db.engines import (
    ConnectionBudget,
    ConnectOptions,
    TenantEngines,
    create_budgeted_engine,
    normalise_url,
)
from comandia.server.db.secretbox import SecretBox
from comandia.shared.domain.errors import NotFound
from comandia.shared.domain.tenants import TenantState

# The control pool's connections are never reclaimed for tenants, so it stays a small share.
CONTROL_POOL_MAX = 4


def control_pool_size(budget: int) -> int:
    """The control database's pooled connections in a process of `budget`: an eighth, 1 to 4."""
    return max(1, min(CONTROL_POOL_MAX, budget // 8))


def journal_pool_size(threads: int, budget: int) -> int:
    """The ingest journal's connections in a process of `threads` request threads and `budget`:
    one per thread, so posts do not queue for one, and half the budget at most."""
    return min(threads, max(1, budget // 2))


class Databases:
    """Hands out sessions on the control database and on tenant databases, and server handles."""

    def __init__(
        self, config: ServerConfig, primary_url: URL, box: SecretBox, connector: Executor | None = None
    ) -> None:
        self.config = config
        self.box = box
        self.primary_url = normalise_url(primary_url)
        self.budget = ConnectionBudget(config.connection_budget, config.budget_wait_seconds)
        self._primary_pooler = pooler_address(config.tenant_pooler_url)
        self.options = ConnectOptions(config.connect_timeout_seconds, config.statement_timeout_ms, connector=connector)
        self.control_engine: Engine = create_budgeted_engine(
            self.primary_url.set(database=config.control_database),
            self.budget,
            control_pool_size(config.connection_budget),
            self.options,
        )
        # Lazy: no connection is opened until a webhook is journaled.
        self.journal_pool = DirectPool(
            self.primary_url.set(database=config.control_database),
            self.budget,
            journal_pool_size(config.threads, config.connection_budget),
            self.options,
            "the control database",
        )
        self.tenant_engines = TenantEngines(
            self._tenant_route,
            self.budget,
            config.tenant_pool_size,
            config.engine_cache_size,
            config.idle_pool_seconds,
        )
        self._clusters: dict[int, Cluster] = {}
        self._poolers: dict[int, tuple[str, int] | None] = {}
        self._lock = threading.Lock()

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
            pooler = pooler_address(server.pooler_url)
        with self._lock:
            self._clusters[server_id] = cluster
            self._poolers[server_id] = pooler
        return cluster

    def forget_cluster(self, server_id: int) -> None:
        with self._lock:
            self._clusters.pop(server_id, None)
            self._poolers.pop(server_id, None)

    def recheck_poolers(self) -> None:
        """Forget every server whose pooler in the registry is not the one this process routes through."""
        with self.control_session() as session:
            rows = session.execute(sa.select(DbServer.id, DbServer.pooler_url))
            registered = {server_id: url for server_id, url in rows}
        with self._lock:
            stale = [
                server_id
                for server_id, pooler in self._poolers.items()
                if pooler != pooler_address(registered.get(server_id))
            ]
        for server_id in stale:
            self.forget_server(server_id)

    def forget_server(self, server_id: int) -> None:
        """The server's registry row changed (its pooler): read it again, and reconnect its tenants.

        Every tenant's pool is closed, not only this server's: which server a cached engine is on is
        not kept, and an operator changes a pooler seldom.
        """
        self.forget_cluster(server_id)
        self.tenant_engines.forget_all()

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

    def journal_autocommit(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A pooled connection to the control database for the ingest journal, in autocommit.

        Its own pool (`direct_pool.py`: plain psycopg, no SQLAlchemy pool on the webhook's path),
        so webhooks never wait behind the control pool's other users (logins, the number map).
        The pool's own context manager, not one wrapped around it: this runs on every webhook.
        """
        return self.journal_pool.connection()

    @contextmanager
    def control_lock(self, name: str) -> Iterator[bool]:
        """Inside, True if this process holds the control database's advisory lock `name`, or
        False at once when another process holds it (the caller then skips the work it guards).

        A transaction-level lock on a journal connection, not one of the control pool's: the
        guarded work opens control sessions of its own, and the lock ends with the transaction
        whatever happens to the connection.
        """
        with self.journal_pool.connection() as connection, connection.transaction():
            row = connection.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", (name,)).fetchone()
            yield bool(row and row[0])

    def close(self) -> None:
        self.tenant_engines.close_all()
        self.journal_pool.close()
        self.control_engine.dispose()

    def _tenant_url(self, tenant_id: str) -> URL:
        return self._tenant_route(tenant_id)[0]

    def _tenant_route(self, tenant_id: str) -> tuple[URL, ConnectOptions]:
        """Where the tenant's connections go (its server, or that server's pooler) and how they are opened."""
        with self.control_session() as session:
            tenant = session.get(Tenant, tenant_id)
            if tenant is None or tenant.state == TenantState.DELETED:
                raise NotFound("tenant {tenant_id} does not exist", tenant_id=tenant_id)
            server_id, database, role = tenant.server_id, tenant.database_name, tenant.role_name
            password = self.box.open(tenant.role_password_sealed)
        url = self.cluster(server_id).admin_url.set(username=role, password=password, database=database)
        with self._lock:
            pooler = self._poolers.get(server_id)
        primary = (self.primary_url.host, self.primary_url.port or 5432)
        if pooler is None and (url.host, url.port or 5432) == primary:
            pooler = self._primary_pooler
        if pooler is None:
            return url, self.options
        # A server reached through a Unix socket names its directory in the query (`?host=/run/…`),
        # which libpq would take over the pooler's address.
        pooled = url.set(host=pooler[0], port=pooler[1]).difference_update_query(["host", "port"])
        return pooled, replace(self.options, pooler=pooler)


def pooler_address(url: str | None) -> tuple[str, int] | None:
    """(host, port) of a pooler URL ("postgresql://host:port"; PgBouncer's port 6432 by default)."""
    if not url:
        return None
    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 6432


@contextmanager
def _translated_failures(what: str) -> Iterator[None]:
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        raise unreachable(what) from error
    except sa.exc.TimeoutError as error:
        raise busy(what) from error


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
