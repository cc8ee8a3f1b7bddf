"""`tenant create|list|show|deactivate|reactivate|delete` (`settings|pause|resume`: tenant_settings.py)."""

from __future__ import annotations

import argparse
import sys

from comandia.provisioning.commands.backups import register_move
from comandia.provisioning.commands.tenant_settings import register_settings
from comandia.provisioning.output import EXIT_FAILED, EXIT_OK, Output
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime
from comandia.shared.i18n import N_
from comandia.shared.schemas.tenants import TenantInfo


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tenant = commands.add_parser("tenant", help="provision and manage tenants")
    verbs = tenant.add_subparsers(dest="verb", required=True, metavar="VERB")
    create = verbs.add_parser("create", help="provision a tenant (prints its ID)")
    create.add_argument("name")
    create.add_argument(
        "--locale",
        help="the country as a full locale: es_MX (default), es_AR, es_CO, es_CL, "
        "es_ES, en_US, ...; its currency, time zone and bot language are the defaults "
        "(es or en alone: only the bot's language)",
    )
    create.add_argument("--timezone", help="IANA time zone (default: the locale's, America/Mexico_City)")
    create.add_argument("--currency", help="ISO 4217 code (default: the locale's, MXN)")
    create.add_argument("--server", help="database server name (default: the one with fewest tenants)")
    create.set_defaults(handler=run_create)
    listing = verbs.add_parser("list", help="list tenants")
    listing.add_argument("--all", action="store_true", help="include deleted tenants")
    listing.set_defaults(handler=run_list)
    for verb, handler, text in (
        ("show", run_show, "show one tenant"),
        ("deactivate", run_deactivate, "keep the data, refuse logins, close connections"),
        ("reactivate", run_reactivate, "undo a deactivation"),
    ):
        parser = verbs.add_parser(verb, help=text)
        parser.add_argument("tenant_id")
        parser.set_defaults(handler=handler)
    delete = verbs.add_parser("delete", help="final backup, then drop the database and role")
    delete.add_argument("tenant_id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument("--no-backup", action="store_true", help="skip the final dump")
    delete.set_defaults(handler=run_delete)
    register_move(verbs)
    register_settings(verbs)


def run_create(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    tenant = runtime.tenants.create(
        NewTenant(args.name, args.timezone, args.currency, args.locale, args.server), actor="comandia-admin"
    )
    out.result(tenant.to_json(), tenant.id)
    return EXIT_OK


def run_list(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    tenants = runtime.tenants.list(include_deleted=args.all)
    out.result(
        [t.to_json() for t in tenants],
        lambda: out.table(
            [
                N_("ID"),
                N_("NAME"),
                N_("STATE"),
                N_("SERVER"),
                N_("LOCALE"),
                N_("TIME ZONE"),
                N_("CURRENCY"),
                N_("REVISION"),
            ],
            [
                [t.id, t.name, t.state, t.server, t.country_locale, t.timezone, t.currency, t.schema_revision]
                for t in tenants
            ],
        ),
    )
    return EXIT_OK


def run_show(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    _show(out, runtime.tenants.get(args.tenant_id))
    return EXIT_OK


def run_deactivate(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    _show(out, runtime.tenants.deactivate(args.tenant_id, actor="comandia-admin"))
    return EXIT_OK


def run_reactivate(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    _show(out, runtime.tenants.reactivate(args.tenant_id, actor="comandia-admin"))
    return EXIT_OK


def run_delete(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    tenant = runtime.tenants.get(args.tenant_id)
    if not args.yes:
        if not sys.stdin.isatty():
            out.error(out.say("refusing to delete without confirmation: pass --yes"))
            return EXIT_FAILED
        question = (
            out.say(
                "Delete tenant {id} ({name}) and its database without a final backup? Type its ID: ",
                id=tenant.id,
                name=tenant.name,
            )
            if args.no_backup
            else out.say(
                "Delete tenant {id} ({name}) and its database after a final backup? Type its ID: ",
                id=tenant.id,
                name=tenant.name,
            )
        )
        answer = input(question)
        if answer.strip() != tenant.id:
            out.error(out.say("not confirmed; nothing was deleted"))
            return EXIT_FAILED
    dump = runtime.tenants.delete(tenant.id, actor="comandia-admin", keep_backup=not args.no_backup)
    out.result(
        {"id": tenant.id, "deleted": True, "final_backup": str(dump) if dump else None},
        out.say("deleted {id}; final backup at {path}", id=tenant.id, path=dump)
        if dump
        else out.say("deleted {id}", id=tenant.id),
    )
    return EXIT_OK


def _show(out: Output, tenant: TenantInfo) -> None:
    out.result(
        tenant.to_json(),
        lambda: out.table([N_("FIELD"), N_("VALUE")], [[k, v] for k, v in tenant.to_json().items()]),
    )
