"""comandia-admin: provision and operate tenants from a shell or a script.

Exit codes: 0 success, 1 the action failed (one line on stderr), 2 bad usage.
`--json` (anywhere on the line) prints machine-readable results on stdout.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from comandia.provisioning.commands import (
    backups,
    catalog,
    chat,
    demo,
    kpis,
    numbers,
    servers,
    setup,
    tenants,
    users,
)
from comandia.provisioning.homes import server_home_elsewhere
from comandia.provisioning.output import EXIT_FAILED, Output
from comandia.server.config import load_config, reader_language
from comandia.server.db.bootstrap import control_database_ready
from comandia.server.wiring import open_runtime
from comandia.shared import parser_language
from comandia.shared.domain.errors import DomainError, ValidationFailed
from comandia.shared.version import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="comandia-admin", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"comandia-admin {__version__}")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--home", type=Path, help="data directory (default: COMANDIA_HOME)")
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: the embedded one)")
    parser.add_argument("--config", type=Path, help="TOML config file")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (setup, tenants, servers, users, numbers, backups, catalog, chat, kpis, demo):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in arguments
    arguments = [a for a in arguments if a != "--json"]
    language = reader_language()
    with parser_language.speaking(language):  # argparse's own words too ("uso:", "opciones", errors)
        args = parser_language.translated(build_parser(), language).parse_args(arguments)
    args.json = as_json
    out = Output(as_json, language=language)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = load_config({"home": args.home, "database_url": args.database_url}, config_file=args.config)
    except ValidationFailed as error:
        out.error(error.localized(language))
        return EXIT_FAILED
    elsewhere = server_home_elsewhere(config)
    if elsewhere is not None and args.command != "init":
        out.error(
            out.say(
                "no COMANDIA data in {home}, but the server's is in {server_home}: run comandia-admin with "
                "COMANDIA_HOME={server_home} (on an installed appliance: sudo comandia-admin ...)",
                home=config.home,
                server_home=elsewhere,
            )
        )
        return EXIT_FAILED
    try:
        runtime = open_runtime(config)
    except DomainError as error:
        out.failure(error)
        return EXIT_FAILED
    try:
        if getattr(args, "needs_control", True) and not control_database_ready(runtime.databases):
            out.error(
                out.say(
                    "the control database is not ready: run `comandia-admin init --admin-user NAME` "
                    "(or `comandia-admin migrate` after an upgrade)"
                )
            )
            return EXIT_FAILED
        code: int = args.handler(runtime, args, out)
        return code
    except DomainError as error:
        out.failure(error)
        return EXIT_FAILED
    except KeyboardInterrupt:
        out.error(out.say("interrupted"))
        return EXIT_FAILED
    finally:
        runtime.close()


if __name__ == "__main__":
    sys.exit(main())
