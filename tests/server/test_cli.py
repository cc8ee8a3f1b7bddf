"""comandia-server as a real process: health, readiness, first run, clean stop on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
import requests

from comandia.server.config import ServerConfig
from tests.plugins.leftovers import forget_process, owned_prefix, record_process
from tests.plugins.postgres import EmbeddedCluster, drop_prefixed
from tests.waiting import answers, eventually


@contextmanager
def server_process(
    env: dict[str, str], home: Path, *args: str
) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """Start comandia-server on an ephemeral port; yield (process, base URL, first output lines)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "comandia.server.cli", "--port", "0", "--home", str(home), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    marker = record_process(process.pid)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        base = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                base = found.group(1)
                break
        assert base, "".join(lines)
        if "embedded" in lines[-1]:
            lines.append(process.stdout.readline())  # the first-run password line follows
        # The supervisor listens before its request process has started: the first requests
        # wait in the socket's queue until one accepts them, which on a busy machine takes a while.
        assert eventually(lambda: answers(f"{base}/healthz"), 60.0, interval=0.1), "".join(lines)
        yield process, base, lines
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        forget_process(marker)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMANDIA_")}
    env.update(extra)
    return env


def test_the_server_answers_health_and_readiness_and_stops_on_sigterm(config: ServerConfig, tmp_path: Path) -> None:
    env = base_env(
        COMANDIA_DATABASE_URL=config.database_url or "",
        COMANDIA_DB_PREFIX=config.db_prefix + "_srv",
        COMANDIA_SECRET_KEY="k",
        COMANDIA_ADMIN_PASSWORD="a strong password",
    )
    with server_process(env, tmp_path, "--single-process") as (process, base, lines):
        assert "(a single process)" in "".join(lines)
        assert psutil.Process(process.pid).children() == []  # requests and jobs in this one process
        assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
        assert requests.get(f"{base}/readyz", timeout=5).json() == {"status": "ready"}
        missing = requests.get(f"{base}/nope", timeout=5)
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
        big = requests.post(f"{base}/healthz", data=b"x" * (2 * 1024 * 1024), timeout=10)
        assert big.status_code == 413
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    drop_prefixed(config.database_url or "", config.db_prefix + "_srv")


def test_with_no_configuration_it_runs_on_its_own_embedded_postgres(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with server_process(base_env(), home) as (process, base, lines):
        output = "".join(lines)
        assert "embedded PostgreSQL" in output and "log in as 'admin'" in output
        # the default layout: one request process beside the jobs process, under this supervisor
        assert "with 1 server process and a jobs process" in output
        note = home / "initial-admin-password"
        password = note.read_text().strip()
        # the password is in a file only this user reads, never in the output (the journal)
        assert password and password not in output and str(note) in output
        assert stat.S_IMODE(note.stat().st_mode) == 0o600
        assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
        postmaster = int((home / "pgdata" / "postmaster.pid").read_text().splitlines()[0])
        assert psutil.pid_exists(postmaster)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    deadline = time.monotonic() + 10
    while psutil.pid_exists(postmaster) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not psutil.pid_exists(postmaster), "the embedded PostgreSQL outlived the server"


def test_a_killed_supervisor_takes_its_processes_with_it(embedded_cluster: EmbeddedCluster, tmp_path: Path) -> None:
    """SIGKILL on the process the operator started (no clean stop): its request and jobs processes
    end too, so none keeps the port or works on beside the next start. (Processes, not the
    database: one backend is enough.)"""
    prefix = owned_prefix() + "_sup"
    env = base_env(
        COMANDIA_DATABASE_URL=embedded_cluster.url,
        COMANDIA_DB_PREFIX=prefix,
        COMANDIA_SECRET_KEY="k",
        COMANDIA_ADMIN_PASSWORD="a strong password",
    )
    try:
        with server_process(env, tmp_path) as (process, base, _):
            deadline = time.monotonic() + 120
            while len(children := psutil.Process(process.pid).children()) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(children) == 2, children
            process.send_signal(signal.SIGKILL)  # the supervisor alone, not its process group
            process.wait()
            gone, alive = psutil.wait_procs(children, timeout=60)
            assert alive == [] and len(gone) == 2
            with pytest.raises(requests.ConnectionError):
                requests.get(f"{base}/healthz", timeout=5)
    finally:
        drop_prefixed(embedded_cluster.url, prefix)


def test_the_servers_help_and_usage_errors_are_spanish_first_and_english_on_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from comandia.server.cli import main as run

    monkeypatch.setenv("COMANDIA_LANGUAGE", "es")
    with pytest.raises(SystemExit):
        run(["--help"])
    said = capsys.readouterr().out
    assert said.startswith("uso: comandia-server") and "--port PUERTO" in said and "--home CARPETA" in said
    assert "dirección en la que escucha" in said and "address to listen on" not in said
    assert run(["--workers", "0"]) == 2
    assert capsys.readouterr().err.strip() == "error: --workers debe estar entre 1 y 64"
    assert run(["--workers", "2", "--single-process"]) == 2  # several request processes need the jobs process
    assert capsys.readouterr().err.strip().startswith("error: varios --workers necesitan el proceso de tareas")
    monkeypatch.setenv("COMANDIA_CONNECTION_BUDGET", "39")  # the appliance's total: 8 each at least
    assert run(["--workers", "4"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: un límite de 39 conexiones es poco para 4 procesos de peticiones y el proceso de tareas: "
        "hacen falta al menos 40 (COMANDIA_CONNECTION_BUDGET)"
    )
    monkeypatch.delenv("COMANDIA_CONNECTION_BUDGET")
    monkeypatch.setenv("COMANDIA_THREADS", "ocho")  # a bad setting is the operator's to fix: in Spanish
    assert run([]) == 2
    assert capsys.readouterr().err.strip() == "error: threads no válido: 'ocho' no es un número entero"
    monkeypatch.delenv("COMANDIA_THREADS")
    monkeypatch.setenv("COMANDIA_LANGUAGE", "en")
    with pytest.raises(SystemExit):
        run(["--help"])
    said = capsys.readouterr().out
    assert said.startswith("usage: comandia-server") and "--port PORT" in said and "address to listen on" in said


def test_a_second_sigterm_does_not_cut_the_clean_stop_short() -> None:
    """The first SIGTERM leaves the server's loop; any later one (the supervisor's, after the
    process group's) is ignored while the jobs stop, instead of raising SystemExit in the middle."""
    from comandia.server.cli import stop_once

    before = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, stop_once)
    try:
        with pytest.raises(SystemExit):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs at the next bytecode boundary
        os.kill(os.getpid(), signal.SIGTERM)  # ignored: would raise SystemExit (or end pytest) otherwise
        time.sleep(0.1)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, before)
