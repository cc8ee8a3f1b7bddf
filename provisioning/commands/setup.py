"""`init` (control database + first superadmin) and `migrate` (everything to head)."""

from __future__ import annotations

import argparse
import getpass

from comandia.provisioning.output import EXIT_FAILED, EXIT_OK, Output
from comandia.provisioning.progress import progress_bar
from comandia.server.db.bootstrap import ensure_control_database
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import Conflict, ValidationFailed
from comandia.shared.i18n import N_


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser("init", help="create the control database and the first superadmin")
    init.add_argument("--admin-user", required=True, help="username of the first superadmin")
    init.set_defaults(handler=run_init, needs_control=False)
    migrate = commands.add_parser("migrate", help="bring the control database and every tenant to head")
    migrate.set_defaults(handler=run_migrate, needs_control=False)


def run_init(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    password = runtime.config.admin_password or _prompt_password(out)
    revision = ensure_control_database(runtime.databases)
    runtime.servers.register_primary()
    try:
        user = runtime.users.create(args.admin_user, password, "superadmin", None, actor="comandia-admin")
        created = True
    except Conflict:
        created = False  # init is idempotent: rerunning it must not fail on an existing admin
        user = next(u for u in runtime.users.list() if u.username.lower() == args.admin_user.lower())
    out.result(
        {"control_revision": revision, "admin": user.to_json(), "created": created, "home": str(runtime.config.home)},
        out.say(
            "control database ready (revision {revision}); superadmin '{username}' created",
            revision=revision,
            username=user.username,
        )
        if created
        else out.say(
            "control database ready (revision {revision}); superadmin '{username}' already exists",
            revision=revision,
            username=user.username,
        ),
    )
    return EXIT_OK


def _prompt_password(out: Output) -> str:
    first = getpass.getpass(out.say("password for the superadmin: "))
    if first != getpass.getpass(out.say("repeat the password: ")):
        raise ValidationFailed("the passwords do not match", {"password": N_("mismatch")})
    return first


def run_migrate(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    with progress_bar(out.say("migrating tenants"), enabled=not args.json) as advance:
        report = runtime.migrations.migrate_all(advance)
    runtime.servers.register_primary()
    summary = {
        "control_revision": report.control_revision,
        "target_revision": report.target_revision,
        "upgraded": report.upgraded,
        "already_current": report.already_current,
        "failed": report.failed,
    }

    def human() -> None:
        total = len(report.upgraded) + len(report.already_current) + len(report.failed)
        ok = len(report.upgraded) + len(report.already_current)
        out.info(
            out.say(
                "control at {control}; tenants at {target}: {ok}/{total}",
                control=report.control_revision,
                target=report.target_revision,
                ok=ok,
                total=total,
            )
        )
        for tenant_id, reason in report.failed.items():
            out.info(out.say("FAILED {tenant}: {reason}", tenant=tenant_id, reason=reason))

    out.result(summary, human)
    return EXIT_OK if report.ok else EXIT_FAILED
