"""`comandia-server` (`--workers N`): N request processes (1 by default) and one jobs process on one host.

One Python process uses about one core; the appliance grows past it with processes. The
supervisor (the process the operator started) binds the socket, creates the first superadmin,
then starts N workers that inherit the socket and serve requests from it: the kernel hands each
new connection to one of them, and connections waiting in the queue survive a worker's death.
Beside them one jobs process (no socket) runs every background job: the journal drain, the
bot's inbox workers, the sender, backups; the workers tell it what they made work for with
NOTIFY (jobs/work_relay.py). They share everything else through PostgreSQL: inbox rows are
claimed with SKIP LOCKED, the daily backup's slot is claimed once, caches are dropped on NOTIFY.
A process that dies is started again (after a pause, so one that cannot start does not spin);
SIGTERM stops them all, and a supervisor that is killed outright takes them with it (they ask
the kernel for SIGTERM when it dies), so its port is free for the next start. The configured
`connection_budget` stays the appliance's total: each process gets a share (`budget_shares`),
the jobs process, which holds every tenant connection, the largest.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType

log = logging.getLogger("comandia.server")

RESTART_PAUSE_SECONDS = 1.0
STOP_GRACE_SECONDS = 15.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
MIN_SHARE = 8
"""Connections one process needs at least: its control pool, a journal connection, a few tenants'."""


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket every worker accepts from, inheritable by the workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def worker_command(argv: Sequence[str], fd: int) -> list[str]:
    """A request process's command line: the supervisor's own arguments, serving on socket `fd`."""
    return [
        sys.executable,
        "-m",
        "comandia.server.cli",
        *argv,
        "--workers",
        "1",
        "--worker-fd",
        str(fd),
        "--supervisor",
        str(os.getpid()),
        "--role",
        "web",
    ]


def jobs_command(argv: Sequence[str]) -> list[str]:
    """The jobs process's command line: the supervisor's own arguments, with no socket."""
    return [
        sys.executable,
        "-m",
        "comandia.server.cli",
        *argv,
        "--workers",
        "1",
        "--supervisor",
        str(os.getpid()),
        "--role",
        "jobs",
    ]


def supervise(
    argv: Sequence[str], sock: socket.socket, workers: int, web_env: dict[str, str], jobs_env: dict[str, str]
) -> int:
    """Run `workers` request processes (environment `web_env`) and the jobs process (`jobs_env`)
    until SIGTERM/SIGINT; start again any that dies."""
    fd = sock.fileno()
    commands = [(worker_command(argv, fd), web_env)] * workers + [(jobs_command(argv), jobs_env)]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start(command: tuple[list[str], dict[str, str]]) -> subprocess.Popen[bytes]:
        line, env = command
        return subprocess.Popen(line, env=env, pass_fds=(fd,))  # noqa: S603 - our own interpreter and module

    running = [start(command) for command in commands]
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(running):
                code = process.poll()
                if code is not None and not stopping:
                    log.warning("server process %d ended with %s; starting another", process.pid, code)
                    time.sleep(RESTART_PAUSE_SECONDS)
                    running[index] = start(commands[index])
    finally:
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        sock.close()
    return 0


def follow_supervisor(supervisor: int) -> None:
    """End (SIGTERM: the clean stop) when the supervisor `supervisor` dies, even by SIGKILL.

    Without it the request processes of a killed supervisor would keep its socket, and the next
    `comandia-server` could not listen on the port. Linux only (the appliance's platform): elsewhere
    the supervisor's own SIGTERM is the only stop.
    """
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != supervisor:  # it died before the request above: nobody will send the signal
        os.kill(os.getpid(), signal.SIGTERM)


@dataclass(frozen=True)
class BudgetShares:
    """The connection budget of each request process and of the jobs process."""

    request: int
    jobs: int


def least_budget(workers: int) -> int:
    """The smallest `connection_budget` that gives `workers` request processes and the jobs process
    `MIN_SHARE` connections each."""
    return MIN_SHARE * (workers + 1)


def budget_shares(total: int, workers: int, threads: int, ingest: str) -> BudgetShares:
    """Split the appliance's `total` connections between `workers` request processes and the jobs process.

    With the ingest journal a request process holds its journal pool (one connection per request
    thread, at most half its share: sessions.py), its control pool (an eighth of its share) and the
    few tenant connections its API requests use (console pages, order create, a streamed export,
    provisioning), while the jobs process holds every other tenant connection (the drain's
    deliveries, the inbox workers, the sender) and with 50 busy tenants on a budget of 40 reopened
    them 73 times a second. So a request process gets twice its threads (16 for 8: the least share
    that keeps a journal connection per thread, which leaves 2 for its control pool and 6 for its
    tenants), never more than an equal share, and the jobs process gets the rest (24 of 40 with one
    request process). With `direct` a request process writes every tenant itself: equal shares, and
    the jobs process gets what the division leaves over. The shares never add up to more than
    `total`, which must be at least `least_budget(workers)`.

    Raises:
        ValueError: `total` is below `least_budget(workers)`.
    """
    if total < least_budget(workers):
        raise ValueError(f"a connection budget of {total} is below {least_budget(workers)} for {workers} workers")
    equal = total // (workers + 1)
    request = min(equal, max(2 * threads, MIN_SHARE)) if ingest == "journal" else equal
    return BudgetShares(request, total - workers * request)


def worker_env(database_url: str, budget: int) -> dict[str, str]:
    """A process's environment: the database the supervisor reached, and its share of the budget."""
    env = dict(os.environ)
    env["COMANDIA_DATABASE_URL"] = database_url
    env["COMANDIA_CONNECTION_BUDGET"] = str(budget)
    return env
