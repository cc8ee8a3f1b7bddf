"""The installer's nginx in front of several server processes, and PgBouncer in front of PostgreSQL.

For the several-processes test (issue 19): `pgbouncer()` runs Debian's PgBouncer in transaction
mode on a free loopback port, in front of a cluster (a fault test's, or the benchmark's), as
`docs/scaling.md` configures it (SCRAM for clients through `auth_query`, `connect_query` for the
statement timeout); `benchmarks/webhook_ingest.py --pooler` starts it the same way, with its pools
sized to the cluster. `nginx()` renders `installer/nginx/comandia.conf.template` as `install.sh`
does, with one `server` line per process, a self-signed certificate, and runs nginx on free ports.
Each runs in a temporary directory and in a session of its own; on exit exactly the process it
started is stopped (and SIGKILLed if it lingers) and its directory removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.faults.cluster import SYSTEM_USER, free_port

TEMPLATE = Path(__file__).resolve().parents[2] / "installer" / "nginx" / "comandia.conf.template"
READY_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Pooler:
    port: int
    directory: Path
    pid: int

    @property
    def url(self) -> str:
        """What `COMANDIA_TENANT_POOLER_URL` is set to."""
        return f"postgresql://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return (self.directory / "pgbouncer.log").read_text(errors="replace")[-chars:]
        return ""


def pgbouncer_ini(
    server: str,
    port: int,
    directory: Path,
    *,
    auth_user: str = "postgres",
    pool_size: int = 10,
    db_connections: int = 20,
    statement_timeout_ms: int = 15_000,
) -> str:
    """PgBouncer's configuration: transaction pooling for every database of the PostgreSQL server at
    `server` ("host=… port=…"), at most `pool_size` server connections per database and role and
    `db_connections` per database."""
    return f"""[databases]
* = {server} connect_query='SET statement_timeout = {statement_timeout_ms}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
pool_mode = transaction
auth_type = scram-sha-256
auth_file = {directory}/userlist.txt
auth_user = {auth_user}
auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename = $1
max_client_conn = 1000
default_pool_size = {pool_size}
max_db_connections = {db_connections}
server_lifetime = 1800
ignore_startup_parameters = extra_float_digits
logfile = {directory}/pgbouncer.log
"""


@contextlib.contextmanager
def pgbouncer(
    url: str, *, pool_size: int = 10, db_connections: int = 20, users: Mapping[str, str] | None = None
) -> Iterator[Pooler]:
    """PgBouncer (transaction mode) in front of the PostgreSQL server of `url`, on a free port; stopped on exit.

    `url` is a superuser's URL of a server that trusts it (a throwaway cluster: TCP or a Unix
    socket directory in its `host` query); that user runs `auth_query`. `users` maps roles to
    their `pg_shadow` secrets, written into `auth_file` so that PgBouncer needs no `auth_query`
    for them: before PgBouncer 1.19 (Debian 12 ships 1.18) `auth_query` runs in the database the
    client asked for, and PgBouncer keeps a connection of that user open to every such database.
    """
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host") or "127.0.0.1")
    auth_user = parsed.username or "postgres"
    directory = Path(tempfile.mkdtemp(prefix="comandia-pgbouncer-"))
    port = free_port()
    (directory / "pgbouncer.ini").write_text(
        pgbouncer_ini(
            f"host={host} port={parsed.port or 5432}",
            port,
            directory,
            auth_user=auth_user,
            pool_size=pool_size,
            db_connections=db_connections,
        )
    )
    # The user auth_query runs as; the cluster trusts it, so it needs no password.
    entries = {auth_user: "", **(users or {})}
    (directory / "userlist.txt").write_text("".join(f'"{name}" "{secret}"\n' for name, secret in entries.items()))
    user = SYSTEM_USER if os.geteuid() == 0 else None  # PgBouncer refuses to run as root
    if user is not None:
        shutil.chown(directory, user)
        for path in directory.iterdir():
            shutil.chown(path, user)
    process = subprocess.Popen(
        [_binary("pgbouncer"), str(directory / "pgbouncer.ini")],
        user=user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    pooler = Pooler(port, directory, process.pid)
    try:
        _wait_for(lambda: _listens(port), process, pooler.log_tail)
        yield pooler
    finally:
        _stop(process)
        shutil.rmtree(directory, ignore_errors=True)


@dataclass(frozen=True)
class Proxy:
    https_port: int
    directory: Path

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def log_tail(self, chars: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return (self.directory / "logs" / "comandia.error.log").read_text(errors="replace")[-chars:]
        return ""


def render_site(upstreams: Sequence[str], http_port: int, https_port: int, directory: Path) -> str:
    """The installer's site, its placeholders filled as `install.sh` fills them, one `server` per process."""
    servers = "\n    ".join(f"server {upstream};" for upstream in upstreams)
    values = {
        "server @UPSTREAM@;": servers,
        "@UPSTREAM@": upstreams[0],
        "@DOMAIN@": "localhost",
        "@HTTP_PORT@": str(http_port),
        "@HTTPS_PORT@": str(https_port),
        "@CERTIFICATE@": str(directory / "cert.pem"),
        "@CERTIFICATE_KEY@": str(directory / "key.pem"),
        "@ACME_ROOT@": str(directory / "acme"),
        "@LOG_DIR@": str(directory / "logs"),
    }
    site = TEMPLATE.read_text()
    for placeholder, value in values.items():
        site = site.replace(placeholder, value)
    return "\n".join(line for line in site.splitlines() if "listen [::]" not in line) + "\n"


@contextlib.contextmanager
def nginx(upstreams: Sequence[str]) -> Iterator[Proxy]:
    """nginx with the installer's site in front of `upstreams` ("127.0.0.1:PORT"); stopped on exit."""
    directory = Path(tempfile.mkdtemp(prefix="comandia-nginx-"))
    (directory / "logs").mkdir()
    (directory / "acme").mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    proxy = Proxy(free_port(), directory)
    (directory / "site.conf").write_text(render_site(upstreams, free_port(), proxy.https_port, directory))
    (directory / "nginx.conf").write_text(
        f"pid {directory}/nginx.pid;\nerror_log {directory}/logs/error.log;\nworker_processes 1;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {directory}/body;\n"
        f"  proxy_temp_path {directory}/proxy;\n  include {directory}/site.conf;\n}}\n"
    )
    if os.geteuid() == 0:  # workers run as nobody by default; they need the temp paths
        os.chmod(directory, 0o755)  # noqa: S103 - a throwaway test directory, nothing secret
    process = subprocess.Popen(
        [_binary("nginx"), "-c", str(directory / "nginx.conf"), "-p", str(directory), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: _listens(proxy.https_port), process, lambda: _stderr(process))
        yield proxy
    finally:
        _stop(process)
        shutil.rmtree(directory, ignore_errors=True)


def _listens(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _stderr(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None or process.stderr is None:
        return ""
    return process.stderr.read().decode(errors="replace")


def _wait_for(ready: Callable[[], bool], process: subprocess.Popen[bytes], tail: Callable[[], str]) -> None:
    name = Path(str(process.args[0])).name  # type: ignore[index]
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited {process.returncode}:\n{tail()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not start:\n{tail()}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process we started (only it), SIGKILL after 10 s; reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # The session we started (nginx's workers with their master), nothing else.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stderr is not None:
        process.stderr.close()


def _binary(name: str) -> str:
    """Debian installs nginx and pgbouncer in /usr/sbin, which a non-root PATH may lack."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        raise FileNotFoundError(f"{name} is not installed (.ci/run installs it)")
    return found
