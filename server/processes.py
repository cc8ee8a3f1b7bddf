"""`comandia-server --workers N`: N server processes on one host, sharing one listening socket.

One Python process uses about one core; the appliance grows past it with processes. The
supervisor (the process the operator started) binds the socket, creates the first superadmin,
then starts N workers that inherit the socket and serve from it: the kernel hands each new
connection to one of them, and connections waiting in the queue survive a worker's death. The
workers share everything else through PostgreSQL: inbox rows are claimed with SKIP LOCKED, the
daily backup's slot is claimed once, caches are dropped on NOTIFY. A worker that dies is
started again (after a pause, so a worker that cannot start does not spin); SIGTERM stops them
all. The configured `connection_budget` stays the appliance's total: each worker gets its share.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

log = logging.getLogger("comandia.server")

RESTART_PAUSE_SECONDS = 1.0
STOP_GRACE_SECONDS = 15.0


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
    """The worker's command line: the supervisor's own arguments, as one process on socket `fd`."""
    return [sys.executable, "-m", "comandia.server.cli", *argv, "--workers", "1", "--worker-fd", str(fd)]


def supervise(argv: Sequence[str], sock: socket.socket, workers: int, env: dict[str, str]) -> int:
    """Run `workers` worker processes until SIGTERM/SIGINT; start again any that dies."""
    fd = sock.fileno()
    command = worker_command(argv, fd)
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, env=env, pass_fds=(fd,))  # noqa: S603 - our own interpreter and module

    running = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(running):
                code = process.poll()
                if code is not None and not stopping:
                    log.warning("server process %d ended with %s; starting another", process.pid, code)
                    time.sleep(RESTART_PAUSE_SECONDS)
                    running[index] = start()
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


def worker_env(database_url: str, connection_budget: int, workers: int) -> dict[str, str]:
    """The workers' environment: the database the supervisor reached, and a share of the budget."""
    env = dict(os.environ)
    env["COMANDIA_DATABASE_URL"] = database_url
    env["COMANDIA_CONNECTION_BUDGET"] = str(max(connection_budget // workers, 8))
    return env
