"""`backup run|list|prune|verify|restore|keygen` and `tenant move`.

Exit codes follow comandia-admin's: 0 all good, 1 anything failed (a run reports every target
and fails at the end if one did; a verify that finds damage fails), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from comandia.provisioning.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Output
from comandia.provisioning.progress import progress_bar
from comandia.server.services.backups.crypto import load_key, write_new_key
from comandia.server.services.backups.info import BackupInfo
from comandia.server.wiring import Runtime
from comandia.shared.i18n import N_
from comandia.shared.schemas.backups import RestoreCheck, stage_name

ACTOR = "comandia-admin"
if TYPE_CHECKING:
    Verbs = argparse._SubParsersAction[argparse.ArgumentParser]


def register(commands: Verbs) -> None:
    backup = commands.add_parser("backup", help="back up, verify and restore tenant databases")
    verbs = backup.add_subparsers(dest="verb", required=True, metavar="VERB")
    run = verbs.add_parser("run", help="dump tenants (and the control database) into the backup directory")
    run.add_argument("tenants", nargs="*", metavar="TENANT")
    run.add_argument("--all", action="store_true", help="every live tenant")
    run.add_argument("--control", action="store_true", help="also the control database")
    run.add_argument("--verify", action="store_true", help="restore-check each backup right away")
    _key_option(run)
    run.set_defaults(handler=run_backup)
    listing = verbs.add_parser("list", help="list backups, newest first")
    listing.add_argument("tenant", nargs="?", help="a tenant ID, or `control`")
    listing.add_argument("--pruned", action="store_true", help="include pruned backups")
    listing.set_defaults(handler=run_list)
    prune = verbs.add_parser("prune", help="delete backups outside the retention policy")
    prune.add_argument("--keep-daily", type=int, required=True, metavar="N")
    prune.add_argument("--keep-weekly", type=int, required=True, metavar="M")
    prune.set_defaults(handler=run_prune)
    verify = verbs.add_parser("verify", help="prove a backup: checksum, scratch restore, row comparison")
    target = verify.add_mutually_exclusive_group(required=True)
    target.add_argument("backup_id", nargs="?", type=int, metavar="BACKUP_ID")
    target.add_argument("--latest", metavar="TENANT", help="the newest backup of TENANT (or `control`)")
    _key_option(verify)
    verify.set_defaults(handler=run_verify)
    restore = verbs.add_parser("restore", help="restore a tenant in place, or as a new tenant with --as")
    restore.add_argument("tenant")
    restore.add_argument("--at", type=int, metavar="BACKUP_ID", help="this backup (default: the newest)")
    restore.add_argument("--as", dest="as_name", metavar="NEW_NAME", help="provision a new tenant instead")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _key_option(restore)
    restore.set_defaults(handler=run_restore)
    keygen = verbs.add_parser("keygen", help="write a new encryption key file (keep it safe!)")
    keygen.add_argument("file", type=Path)
    keygen.set_defaults(handler=run_keygen)


def register_move(verbs: Verbs) -> None:
    """Add `tenant move` to the `tenant` verbs (called by commands/tenants.py)."""
    move = verbs.add_parser("move", help="move a tenant's database to another registered server")
    move.add_argument("tenant_id")
    move.add_argument("--to", required=True, metavar="SERVER", help="target server name (see `server list`)")
    move.add_argument("--drop-source", action="store_true", help="drop the old database once moved")
    move.add_argument("--yes", action="store_true", help="do not ask before dropping the source")
    _key_option(move)
    move.set_defaults(handler=run_move)


def run_backup(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    if not (args.tenants or args.all or args.control) or (args.tenants and args.all):
        out.error(out.say("name tenants, or pass --all, and/or --control"))
        return EXIT_USAGE
    key = load_key(args.encrypt_key) if args.encrypt_key else None
    with progress_bar("backup", enabled=not out.as_json) as advance:
        report = runtime.backups.run(
            None if args.all else args.tenants,
            control=args.control,
            key=key,
            verify=args.verify,
            on_progress=advance,
        )
    rows = [
        [
            o.label,
            "ok" if o.ok else "FAILED",
            o.backup.id if o.backup else "",
            _size(o.backup),
            f"{o.seconds:.1f}",
            o.error or (_check_detail(out, o.verify) if o.verify else ""),
        ]
        for o in report.outcomes
    ]
    out.result(
        {"run": report.run, "ok": report.ok, "outcomes": [o.to_json() for o in report.outcomes]},
        lambda: out.table([N_("TARGET"), N_("RESULT"), N_("BACKUP"), N_("SIZE"), N_("SECONDS"), N_("DETAIL")], rows),
    )
    failed = [o.label for o in report.outcomes if not o.ok]
    if failed:
        _failed(
            out,
            out.say(
                "{failed} of {total} backups failed: {names}",
                failed=len(failed),
                total=len(report.outcomes),
                names=", ".join(failed),
            ),
        )
        return EXIT_FAILED
    return EXIT_OK


def run_list(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    backups = runtime.backups.list(args.tenant, include_pruned=args.pruned)
    out.result(
        [b.to_json() for b in backups],
        lambda: out.table(
            [
                N_("ID"),
                N_("TARGET"),
                N_("STARTED"),
                N_("STATUS"),
                N_("SIZE"),
                N_("ENCRYPTED"),
                N_("VERIFIED"),
                N_("PATH"),
            ],
            [
                [
                    b.id,
                    b.label,
                    f"{b.started_at:%Y-%m-%d %H:%M}",
                    b.status,
                    _size(b),
                    out.say("yes") if b.encrypted else "",
                    f"{b.verify_result} {b.verified_at:%Y-%m-%d %H:%M}" if b.verified_at else out.say("never"),
                    b.path,
                ]
                for b in backups
            ],
        ),
    )
    return EXIT_OK


def run_prune(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    pruned = runtime.backups.prune(args.keep_daily, args.keep_weekly)
    out.result([b.to_json() for b in pruned], out.say("pruned {count} backups", count=len(pruned)))
    return EXIT_OK


def _check_detail(out: Output, check: RestoreCheck) -> str:
    """The check's outcome in the reader's language: the tables that match, or why it failed."""
    if check.ok:
        return out.say("{tables} tables, {rows} rows match", tables=check.tables, rows=check.rows)
    return check.failure.sentence(out.language) if check.failure else check.detail


def run_verify(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    service = runtime.backups
    backup_id = args.backup_id if args.latest is None else service.latest(args.latest).id
    key = load_key(args.encrypt_key) if args.encrypt_key else None
    report = service.verify(backup_id, key)
    out.result(
        report.to_json(),
        out.say(
            "backup {id}: {result} ({stage}) {detail} [{seconds} s]",
            id=backup_id,
            result=out.say("ok") if report.ok else out.say("FAILED"),
            stage=stage_name(out.language, report.stage),
            detail=_check_detail(out, report),
            seconds=format(report.seconds, ".1f"),
        ),
    )
    if not report.ok:
        _failed(
            out,
            out.say(
                "backup {id} failed its restore check at {stage}: {detail}",
                id=backup_id,
                stage=stage_name(out.language, report.stage),
                detail=_check_detail(out, report),
            ),
        )
        return EXIT_FAILED
    return EXIT_OK


def run_restore(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    service = runtime.services.restores
    key = load_key(args.encrypt_key) if args.encrypt_key else None
    if args.as_name is None and not _confirmed(
        out,
        args.yes,
        out.say(
            "Replace tenant {tenant}'s database with backup {backup}? Changes since that backup are lost. "
            "Type the tenant ID: ",
            tenant=args.tenant,
            backup=args.at or out.say("latest"),
        ),
        args.tenant,
    ):
        return EXIT_FAILED
    if args.as_name is not None:
        tenant = service.restore_as(args.tenant, args.as_name, args.at, key, actor=ACTOR)
    else:
        tenant = service.restore(args.tenant, args.at, key, actor=ACTOR)
    out.result(
        tenant.to_json(),
        out.say("restored into {id} ({name}), state {state}", id=tenant.id, name=tenant.name, state=tenant.state),
    )
    return EXIT_OK


def run_keygen(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    if args.file.exists():
        out.error(out.say("{path} exists; refusing to overwrite a key (backups made with it need it)", path=args.file))
        return EXIT_FAILED
    write_new_key(args.file)
    out.result(
        {"key_file": str(args.file)},
        out.say(
            "wrote {path} (mode 0600). Keep a copy off this machine: without it, encrypted backups cannot "
            "be restored by anyone.",
            path=args.file,
        ),
    )
    return EXIT_OK


def run_move(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    if args.drop_source and not _confirmed(
        out,
        args.yes,
        out.say(
            "Move {tenant} to {server} and drop its old database? Type the tenant ID: ",
            tenant=args.tenant_id,
            server=args.to,
        ),
        args.tenant_id,
    ):
        return EXIT_FAILED
    key = load_key(args.encrypt_key) if args.encrypt_key else None
    report = runtime.services.moves.move(args.tenant_id, args.to, actor=ACTOR, drop_source=args.drop_source, key=key)
    out.result(
        report.to_json(),
        out.say(
            "moved {tenant} from {source} to {target}: {tables} tables, {rows} rows in {seconds} s "
            "(writes refused for {frozen} s)",
            tenant=report.tenant_id,
            source=report.source,
            target=report.target,
            tables=report.tables,
            rows=report.rows,
            seconds=format(report.seconds, ".1f"),
            frozen=format(report.frozen_seconds, ".1f"),
        )
        + (out.say("; old database dropped") if report.source_dropped else out.say("; old database kept")),
    )
    return EXIT_OK


def _key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--encrypt-key",
        type=Path,
        metavar="FILE",
        help="AES-256 key file (`backup keygen`); losing it loses the backups",
    )


def _confirmed(out: Output, yes: bool, prompt: str, expected: str) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        out.error(out.say("refusing without confirmation: pass --yes"))
        return False
    if input(prompt).strip() != expected:
        out.error(out.say("not confirmed; nothing was changed"))
        return False
    return True


def _failed(out: Output, message: str) -> None:
    """The one-line error on stderr; with --json the result already on stdout says it too."""
    print(f"error: {message}", file=out.stderr)


def _size(backup: BackupInfo | None) -> str:
    if backup is None or backup.size_bytes is None:
        return ""
    size = float(backup.size_bytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""
