"""What an interrupted test run leaves behind, named after its owner and swept by the next run.

Ctrl-C or a kill skips a run's finalizers: its databases and roles stay in the shared PostgreSQL,
and the servers it started (each in a session of its own, so a signal to pytest's group misses
them) and its embedded clusters keep running. So a run marks what it makes with its own process:

- databases and roles: the name prefix carries the pytest PID (`owned_prefix`: ``ct<6 hex>p<pid>``);
- processes: a marker file per process under `RUNS`, in a folder named after the run's PID and
  start time (`record_process`), saying the process's PID and start time, how to stop it and
  which folder to delete after it.

At its start a run sweeps what runs that are gone left (`sweep_databases`, `sweep_processes`).
What a live run owns is never touched: its PID is alive. A database some connection still uses is
kept too (a run in another PID namespace, whose PID we cannot see). A process is stopped only by
the PID its marker recorded and only while that PID still has the recorded start time (a PID that
another program reused is left alone); never by name, and the shared PostgreSQL is never restarted.
Names without a PID (runs of an older checkout) are not ours to judge and stay.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import psutil
import psycopg

RUNS = Path(tempfile.gettempdir()) / "comandia-test-runs"
"""One folder per run (``<pid>-<start time>``), one marker file per process it started."""

_OWNED = re.compile(r"^(c[a-z][0-9a-f]{6}p(\d+))(?:_|$)")
"""A name made from `owned_prefix`: group 1 is the prefix, group 2 the owning PID."""

Alive = Callable[[int], bool]


def owned_prefix(kind: str = "ct") -> str:
    """A fresh name prefix for this run's databases and roles, carrying this process's PID."""
    return f"{kind}{secrets.token_hex(3)}p{os.getpid()}"


def pid_alive(pid: int) -> bool:
    """Whether a process `pid` exists (one of another user's counts: it is not ours to judge)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_prefixes(names: Iterable[str], alive: Alive = pid_alive) -> set[str]:
    """The owned prefixes among `names` whose owning process is gone."""
    owners = {m.group(1): int(m.group(2)) for m in map(_OWNED.match, names) if m}
    return {prefix for prefix, pid in owners.items() if not alive(pid)}


def sweep_databases(conninfo: str, alive: Alive = pid_alive) -> list[str]:
    """Drop the databases and roles of runs that are gone from the server at `conninfo`.

    Returns:
        The prefixes dropped.
    """
    with psycopg.connect(conninfo, autocommit=True) as connection:
        databases = [r[0] for r in connection.execute("SELECT datname FROM pg_database")]
        roles = [r[0] for r in connection.execute("SELECT rolname FROM pg_roles")]
        in_use = [
            r[0]
            for r in connection.execute(
                "SELECT DISTINCT datname FROM pg_stat_activity WHERE datname IS NOT NULL AND pid <> pg_backend_pid()"
            )
        ]
        swept = []
        for prefix in sorted(dead_prefixes(databases + roles, alive)):
            if any(_OWNED.match(name) and name.startswith(prefix + "_") for name in in_use):
                continue  # someone still works in it: not a dead run's after all
            _drop(connection, prefix, databases, roles)
            swept.append(prefix)
    return swept


def _drop(
    connection: psycopg.Connection[tuple[object, ...]], prefix: str, databases: list[str], roles: list[str]
) -> None:
    def mine(name: str) -> bool:
        return name == prefix or name.startswith(prefix + "_")

    for name in filter(mine, databases):
        connection.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name))
        )
    for name in filter(mine, roles):
        connection.execute(psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(name)))


def _started(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), None if there is no such process."""
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return -1.0  # there, but not ours to read: never taken for a dead one


def run_folder(owner: int | None = None, runs: Path = RUNS) -> Path:
    """The marker folder of the run whose pytest process is `owner` (default: this one)."""
    owner = os.getpid() if owner is None else owner
    return runs / f"{owner}-{_started(owner)!r}"


def record_process(
    pid: int,
    stop: signal.Signals = signal.SIGTERM,
    group: bool = True,
    remove: Path | None = None,
    folder: Path | None = None,
) -> Path:
    """Note that this run started process `pid`, to be stopped with `stop` (to its whole process
    group when `group`: a server started in a session of its own) should the run die first, and
    `remove` deleted after it. Returns the marker's path (`forget_process` deletes it).

    Args:
        folder: the run's marker folder (default: this run's, `run_folder()`).
    """
    folder = folder or run_folder()
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"{pid}.json"
    record = {"pid": pid, "started": _started(pid), "signal": int(stop), "group": group, "remove": str(remove or "")}
    marker.write_text(json.dumps(record))
    return marker


def forget_process(marker: Path) -> None:
    """The process of `marker` ended as planned: nothing for a later run to sweep."""
    marker.unlink(missing_ok=True)


def sweep_processes(runs: Path = RUNS) -> list[int]:
    """Stop the processes recorded by runs that are gone and delete what they asked to.

    Returns:
        The PIDs signalled.
    """
    stopped: list[int] = []
    for folder in sorted(runs.glob("*-*")) if runs.is_dir() else []:
        owner, _, started = folder.name.partition("-")
        if not owner.isdigit() or repr(_started(int(owner))) == started:
            continue  # a live run's (the same PID with the same start time)
        for marker in folder.glob("*.json"):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                stopped += _stop(json.loads(marker.read_text()))
        shutil.rmtree(folder, ignore_errors=True)
    return stopped


def _stop(record: dict[str, object]) -> list[int]:
    """Signal the recorded process if it is still the one recorded; delete its folder."""
    pid, started = int(str(record["pid"])), record["started"]
    signalled: list[int] = []
    if started is not None and _started(pid) == started:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            stop = signal.Signals(int(str(record["signal"])))
            os.killpg(pid, stop) if record["group"] and os.getpgid(pid) == pid else os.kill(pid, stop)
            signalled.append(pid)
            with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired):
                psutil.Process(pid).wait(timeout=30)
    if record["remove"]:
        shutil.rmtree(str(record["remove"]), ignore_errors=True)
    return signalled
