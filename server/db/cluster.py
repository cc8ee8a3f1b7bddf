"""Administrative operations on one PostgreSQL server: databases, roles, privileges.

Everything here runs on short autocommit connections of the server's admin role (CREATE
DATABASE cannot run in a transaction). Names are always passed as `psycopg.sql.Identifier`.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from comandia.server.db.engines import ConnectionBudget, ConnectOptions, libpq_conninfo
from comandia.shared.domain.errors import Unavailable

Connection = psycopg.Connection[Any]


class ServerUnreachable(Unavailable):
    """The database server does not answer or refuses the admin role."""


class Cluster:
    """One database server, reached through its admin URL."""

    def __init__(self, name: str, admin_url: URL, budget: ConnectionBudget, options: ConnectOptions) -> None:
        self.name = name
        self.admin_url = admin_url
        self._budget = budget
        self._options = options

    @contextmanager
    def connect(self, database: str | None = None) -> Iterator[Connection]:
        """An autocommit admin connection to `database` (default: the URL's own)."""
        url = self.admin_url if database is None else self.admin_url.set(database=database)
        self._budget.acquire()
        try:
            try:
                connection = psycopg.connect(
                    libpq_conninfo(url),
                    autocommit=True,
                    connect_timeout=self._options.connect_timeout_seconds,
                    application_name=self._options.application_name,
                )
            except psycopg.OperationalError as error:
                raise ServerUnreachable(
                    "database server “{server}” is unreachable: {error}", server=self.name, error=_first_line(error)
                ) from error
            with connection:
                yield connection
        finally:
            self._budget.release()

    @contextmanager
    def exclusive(self, purpose: str) -> Iterator[Connection]:
        """Hold a server-wide advisory lock for `purpose` (e.g. building the template) while inside."""
        key = zlib.crc32(purpose.encode())
        with self.connect() as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                yield connection
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def version(self) -> int:
        with self.connect() as connection:
            row = connection.execute("SHOW server_version_num").fetchone()
        assert row is not None
        return int(row[0]) // 10000

    def database_exists(self, name: str) -> bool:
        with self.connect() as connection:
            return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None

    def role_exists(self, name: str) -> bool:
        with self.connect() as connection:
            return connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None

    def create_login_role(self, name: str, password: str) -> None:
        """A role that can log in and do nothing else on the server."""
        statement = sql.SQL(
            "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        ).format(sql.Identifier(name), sql.Literal(password))
        with self.connect() as connection:
            connection.execute(statement)

    def create_group_role(self, name: str) -> None:
        """A role nobody logs in as (for example the owner of the template's objects)."""
        with self.connect() as connection:
            if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                return
            connection.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))

    def create_database(self, name: str, owner: str | None = None, template: str | None = None) -> None:
        """Create `name`, copying `template` when given, and shut PUBLIC out of it."""
        parts = [sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))]
        if owner:
            parts.append(sql.SQL("OWNER {}").format(sql.Identifier(owner)))
        if template:
            parts.append(sql.SQL("TEMPLATE {}").format(sql.Identifier(template)))
        with self.connect() as connection:
            connection.execute(sql.SQL(" ").join(parts))
            connection.execute(
                sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(sql.Identifier(name))
            )

    def drop_database(self, name: str) -> None:
        """Drop `name` if it exists, ending its sessions first."""
        with self.connect() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def drop_role(self, name: str) -> None:
        with self.connect() as connection:
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))

    def allow_login(self, role: str, allowed: bool) -> None:
        """ALTER ROLE … LOGIN / NOLOGIN: a NOLOGIN role's new connections are refused at once."""
        statement = sql.SQL("ALTER ROLE {} LOGIN" if allowed else "ALTER ROLE {} NOLOGIN").format(sql.Identifier(role))
        with self.connect() as connection:
            connection.execute(statement)

    def can_login(self, role: str) -> bool:
        with self.connect() as connection:
            row = connection.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        return bool(row and row[0])

    def end_sessions(self, database: str, within_seconds: float = 5.0) -> None:
        """Terminate every session on `database` until none is left (its role must be NOLOGIN).

        A backend that was authenticating while the role became NOLOGIN shows up in
        pg_stat_activity a moment later, so one pass is not enough: terminate, look again.

        Raises:
            Unavailable: sessions were still there after `within_seconds`.
        """
        deadline = time.monotonic() + within_seconds
        with self.connect() as connection:
            while True:
                row = connection.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (database,),
                ).fetchone()
                if row is not None and row[0] == 0:
                    time.sleep(0.05)  # one more look for a backend that was still logging in
                    left = connection.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                        (database,),
                    ).fetchone()
                    if left is not None and left[0] == 0:
                        return
                if time.monotonic() > deadline:
                    raise Unavailable(
                        "sessions on {database} did not end within {seconds} s",
                        database=database,
                        seconds=format(within_seconds, "g"),
                    )
                time.sleep(0.02)

    def terminate_sessions(self, database: str) -> None:
        with self.connect() as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


@contextmanager
def sa_connection(cluster: Cluster, database: str, budget: ConnectionBudget, options: ConnectOptions) -> Iterator[Any]:
    """A one-off SQLAlchemy connection of the admin role to `database` (for Alembic)."""
    from comandia.server.db.engines import create_budgeted_engine

    engine = create_budgeted_engine(cluster.admin_url.set(database=database), budget, 1, options)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def harden_own_cluster(cluster: Cluster) -> None:
    """Shut PUBLIC out of the built-in databases of a cluster COMANDIA owns (the embedded one).

    On an operator's server these belong to the operator; docs/tenants.md says to do the same.
    """
    with cluster.connect() as connection:
        for database in ("postgres", "template1"):
            connection.execute(
                sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database))
            )
