"""`user create|list|disable|enable|unlock`."""

from __future__ import annotations

import argparse
import getpass

from comandia.provisioning.output import EXIT_OK, Output
from comandia.server.wiring import Runtime
from comandia.shared.i18n import N_


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="console and API logins")
    verbs = user.add_subparsers(dest="verb", required=True, metavar="VERB")
    create = verbs.add_parser("create", help="create a login (password from COMANDIA_USER_PASSWORD, else a prompt)")
    create.add_argument("username")
    create.add_argument("--role", choices=["superadmin", "manager", "viewer"], default="manager")
    create.add_argument("--tenant", help="the tenant a manager or viewer belongs to")
    create.set_defaults(handler=run_create)
    listing = verbs.add_parser("list", help="list logins")
    listing.add_argument("--tenant")
    listing.set_defaults(handler=run_list)
    for verb, handler in (("disable", run_disable), ("enable", run_enable)):
        parser = verbs.add_parser(verb, help=f"{verb} a login (disabling ends its sessions at once)")
        parser.add_argument("username")
        parser.set_defaults(handler=handler)
    unlock = verbs.add_parser("unlock", help="forget a login's failed attempts, so its next login is not slowed")
    unlock.add_argument("username")
    unlock.set_defaults(handler=run_unlock)


def run_create(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    prompt = out.say("password for {username}: ", username=args.username)
    password = runtime.config.user_password or getpass.getpass(prompt)
    user = runtime.users.create(args.username, password, args.role, args.tenant, actor="comandia-admin")
    out.result(user.to_json(), out.say("created {role} '{username}'", role=user.role, username=user.username))
    return EXIT_OK


def run_list(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    users = runtime.users.list(args.tenant)
    out.result(
        [u.to_json() for u in users],
        lambda: out.table(
            [N_("ID"), N_("USERNAME"), N_("ROLE"), N_("TENANT"), N_("DISABLED")],
            [[u.id, u.username, u.role, u.tenant_id, u.disabled] for u in users],
        ),
    )
    return EXIT_OK


def run_disable(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    user = runtime.users.set_disabled(args.username, True, actor="comandia-admin")
    out.result(user.to_json(), out.say("disabled '{username}'", username=user.username))
    return EXIT_OK


def run_enable(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    user = runtime.users.set_disabled(args.username, False, actor="comandia-admin")
    out.result(user.to_json(), out.say("enabled '{username}'", username=user.username))
    return EXIT_OK


def run_unlock(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    cleared = runtime.users.unlock(args.username, actor="comandia-admin")
    out.result(
        {"username": args.username, "failures_cleared": cleared},
        out.say("unlocked '{username}' ({count} failed attempts forgotten)", username=args.username, count=cleared),
    )
    return EXIT_OK
