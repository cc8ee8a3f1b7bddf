"""`server add|list|drain|open|pooler`: the PostgreSQL servers tenants can live on."""

from __future__ import annotations

import argparse

from comandia.provisioning.output import EXIT_OK, Output
from comandia.server.wiring import Runtime
from comandia.shared.i18n import N_


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = commands.add_parser("server", help="database servers for tenants")
    verbs = server.add_subparsers(dest="verb", required=True, metavar="VERB")
    add = verbs.add_parser("add", help="register a server (its role must create databases and roles)")
    add.add_argument("name")
    add.add_argument("url", help="e.g. postgresql://admin:secret@db2.internal:5432/postgres")
    add.set_defaults(handler=run_add)
    listing = verbs.add_parser("list", help="list servers with their tenant counts")
    listing.add_argument("--probe", action="store_true", help="also check that each answers")
    listing.set_defaults(handler=run_list)
    pooler = verbs.add_parser("pooler", help="reach a server's tenants through a PgBouncer (or directly again)")
    pooler.add_argument("name")
    target = pooler.add_mutually_exclusive_group(required=True)
    target.add_argument("url", nargs="?", help="the PgBouncer, postgresql://host:port (transaction mode)")
    target.add_argument("--direct", action="store_true", help="reach the server's tenants directly again")
    pooler.set_defaults(handler=run_set_pooler)
    for verb, accepts, text in (
        ("drain", False, "stop placing new tenants on a server"),
        ("open", True, "place new tenants on a server again"),
    ):
        parser = verbs.add_parser(verb, help=text)
        parser.add_argument("name")
        parser.set_defaults(handler=run_set_accepting, accepts=accepts)


def run_add(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    server = runtime.servers.add(args.name, args.url, actor="comandia-admin")
    out.result(
        server.to_json(), out.say("registered database server '{name}' (id {id})", name=server.name, id=server.id)
    )
    return EXIT_OK


def run_list(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    servers = runtime.servers.list(probe=args.probe)
    out.result(
        [s.to_json() for s in servers],
        lambda: out.table(
            [N_("ID"), N_("NAME"), N_("TENANTS"), N_("ACCEPTS"), N_("REACHABLE"), N_("VERSION"), N_("POOLER")],
            [
                [s.id, s.name, s.tenants, s.accepts_tenants, s.reachable, s.version, s.pooler_url or "-"]
                for s in servers
            ],
        ),
    )
    return EXIT_OK


def run_set_accepting(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    server = runtime.servers.set_accepting(args.name, args.accepts, actor="comandia-admin")
    state = (
        out.say("{name}: accepts new tenants", name=server.name)
        if server.accepts_tenants
        else out.say("{name}: drained; no new tenants", name=server.name)
    )
    out.result(server.to_json(), state)
    return EXIT_OK


def run_set_pooler(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    server = runtime.servers.set_pooler(args.name, None if args.direct else args.url, actor="comandia-admin")
    state = (
        out.say("{name}: tenants reached through the pooler {pooler}", name=server.name, pooler=server.pooler_url)
        if server.pooler_url
        else out.say("{name}: tenants reached directly", name=server.name)
    )
    out.result(server.to_json(), state)
    return EXIT_OK
