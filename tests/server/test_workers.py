"""`comandia-server --workers N`: N processes serve one port beside one jobs process; a killed one
is replaced, the port keeps answering, and SIGTERM stops them all."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import psutil
import requests

from comandia.server.config import ServerConfig
from tests.plugins.postgres import drop_prefixed
from tests.server.test_cli import base_env, server_process
from tests.waiting import answers
from tests.waiting import eventually as eventually_within


def workers_of(supervisor: int) -> list[psutil.Process]:
    """The supervisor's live worker processes (a killed one is a zombie until it is reaped)."""
    return [child for child in psutil.Process(supervisor).children() if is_worker(child)]


def jobs_of(supervisor: int) -> list[psutil.Process]:
    """The supervisor's live jobs process (no socket: `--role jobs`)."""
    found = []
    for child in psutil.Process(supervisor).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and child.cmdline()[-2:] == ["--role", "jobs"]:
                found.append(child)
        except psutil.Error:
            continue
    return found


def is_worker(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE and "--worker-fd" in process.cmdline()
    except psutil.Error:  # gone, or a zombie, between listing and reading it
        return False


def eventually(check: Callable[[], bool]) -> bool:
    return eventually_within(check, 120.0, interval=0.1)  # generous: CI shares its cores


def ready(base: str) -> bool:
    return answers(f"{base}/readyz")  # False while no process accepts: the connection waits in the queue


def test_two_server_processes_share_the_port_and_one_killed_is_replaced(config: ServerConfig, tmp_path: Path) -> None:
    prefix = config.db_prefix + "_wrk"
    env = base_env(
        COMANDIA_DATABASE_URL=config.database_url or "",
        COMANDIA_DB_PREFIX=prefix,
        COMANDIA_SECRET_KEY="k",
        COMANDIA_ADMIN_PASSWORD="a strong password",
    )
    try:
        with server_process(env, tmp_path, "--workers", "2") as (supervisor, base, lines):
            assert "with 2 server processes and a jobs process" in "".join(lines)
            assert eventually(lambda: len(workers_of(supervisor.pid)) == 2 and ready(base))
            assert eventually(lambda: len(jobs_of(supervisor.pid)) == 1)
            # The default budget of 40 split: an equal share each for the request processes (twice
            # their 8 threads would be more), what is left for the jobs process.
            shares = [p.environ()["COMANDIA_CONNECTION_BUDGET"] for p in workers_of(supervisor.pid)]
            assert shares == ["13", "13"] and jobs_of(supervisor.pid)[0].environ()["COMANDIA_CONNECTION_BUDGET"] == "14"
            first = {worker.pid for worker in workers_of(supervisor.pid)}
            assert all(requests.get(f"{base}/healthz", timeout=5).status_code == 200 for _ in range(20))

            psutil.Process(min(first)).send_signal(signal.SIGKILL)
            # The other process answers meanwhile; the supervisor starts a new one.
            assert all(requests.get(f"{base}/healthz", timeout=5).status_code == 200 for _ in range(20))
            assert eventually(
                lambda: len(workers_of(supervisor.pid)) == 2 and {w.pid for w in workers_of(supervisor.pid)} != first
            )
            assert eventually(lambda: ready(base))

            jobs = jobs_of(supervisor.pid)[0]
            jobs.send_signal(signal.SIGKILL)
            assert eventually(lambda: [p.pid for p in jobs_of(supervisor.pid)] not in ([], [jobs.pid]))

            survivors = workers_of(supervisor.pid) + jobs_of(supervisor.pid)
            supervisor.send_signal(signal.SIGTERM)
            assert supervisor.wait(timeout=30) == 0
            assert not any(worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE for worker in survivors)
    finally:
        drop_prefixed(config.database_url or "", prefix)


def test_a_worker_count_out_of_range_is_one_clear_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "comandia.server.cli", "--workers", "0", "--home", str(tmp_path)],
        capture_output=True,
        text=True,
        env=base_env(),
        timeout=60,
    )
    # Spanish first: base_env() leaves out COMANDIA_LANGUAGE
    assert done.returncode == 2 and done.stderr.strip() == "error: --workers debe estar entre 1 y 64"
