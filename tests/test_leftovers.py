"""An interrupted test run's leftovers are swept by the next run, and a live run's are kept
(tests/plugins/leftovers.py): databases and roles by the PID in their prefix, processes by their
markers' PID and start time."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tests.plugins.leftovers import (
    _OWNED,
    dead_prefixes,
    pid_alive,
    record_process,
    run_folder,
    sweep_databases,
    sweep_processes,
)
from tests.plugins.postgres import drop_prefixed


def dead_pid() -> int:
    """The PID of a process that has ended (reaped: nothing has it now)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    assert not pid_alive(process.pid)
    return process.pid


@pytest.fixture
def conninfo(pg_url: str) -> str:
    return pg_url.replace("postgresql+psycopg://", "postgresql://")


def names(conninfo: str, prefix: str) -> set[str]:
    pattern = prefix.replace("_", r"\_") + "%"
    with psycopg.connect(conninfo) as connection:
        found = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s"
            " UNION SELECT rolname FROM pg_roles WHERE rolname LIKE %s",
            (pattern, pattern),
        )
        return {row[0] for row in found}


def leave(conninfo: str, prefix: str) -> set[str]:
    """A database and a role named as a run with `prefix` makes them (what a killed run leaves)."""
    made = {f"{prefix}_control", f"{prefix}_tenant_role"}
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(f"{prefix}_control")))
        connection.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(f"{prefix}_tenant_role")))
    return made


def test_only_names_with_a_dead_owner_are_taken_for_leftovers() -> None:
    gone = dead_pid()
    found = dead_prefixes(
        [f"ct1e9af3p{gone}_control", f"ct1e9af3p{gone}_t000000000001", "ct1e9af3_control", "postgres", "cta1b2c3p1_x"],
        alive=lambda pid: pid == 1,
    )
    assert found == {f"ct1e9af3p{gone}"}  # an old-style name (no PID) is nobody's to judge
    assert _OWNED.match("ct1e9af3p12_sup") and not _OWNED.match("ct1e9af3p12x_control")


def test_a_dead_runs_databases_and_roles_are_swept_and_a_live_runs_kept(conninfo: str) -> None:
    dead = f"ct{secrets.token_hex(3)}p{dead_pid()}"
    busy = f"ct{secrets.token_hex(3)}p{dead_pid()}"
    live = f"ct{secrets.token_hex(3)}p{run_folder().name.split('-')[0]}"  # this process: alive
    try:
        assert leave(conninfo, dead) == names(conninfo, dead)
        kept = leave(conninfo, live)
        leave(conninfo, busy)
        # a database someone still works in (a run in another PID namespace) is not a dead run's
        with psycopg.connect(make_conninfo(conninfo, dbname=f"{busy}_control")):
            swept = sweep_databases(conninfo)
            assert dead in swept and live not in swept and busy not in swept
            assert names(conninfo, dead) == set() and names(conninfo, live) == kept
            assert f"{busy}_control" in names(conninfo, busy)
        assert busy in sweep_databases(conninfo) and names(conninfo, busy) == set()
        assert names(conninfo, live) == kept
    finally:
        for prefix in (dead, live, busy):
            drop_prefixed(conninfo, prefix)


def test_a_dead_runs_processes_are_stopped_and_a_live_runs_kept(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with (
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True) as orphan,
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True) as ours,
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True) as stranger,
    ):
        try:
            cluster_folder = tmp_path / "comandia-main-x"
            cluster_folder.mkdir()
            dead_run = runs / f"{dead_pid()}-1.0"
            dead_run.mkdir(parents=True)
            record_process(orphan.pid, remove=cluster_folder, folder=dead_run)
            reused = record_process(stranger.pid, folder=dead_run)
            # the PID a dead run recorded now belongs to another program (another start time)
            reused.write_text(reused.read_text().replace('"started": ', '"started": 1'))
            live_run = run_folder(runs=runs)
            live_run.mkdir(parents=True)
            record_process(ours.pid, folder=live_run)

            assert sweep_processes(runs) == [orphan.pid]

            orphan.wait(timeout=30)  # the sweep waited for it (and reaped it: it was our child)
            assert not pid_alive(orphan.pid)
            assert ours.poll() is None and stranger.poll() is None
            assert not cluster_folder.exists() and not dead_run.exists() and live_run.exists()
        finally:
            for process in (orphan, ours, stranger):
                process.kill()
