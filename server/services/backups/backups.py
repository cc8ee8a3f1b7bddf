"""Backups of tenant databases and the control database: run, list, prune, verify, restore.

Files live in ``config.backup_dir/<run>/<label>/`` (``<label>`` is the tenant ID or
``control``): the dump and its ``manifest.json``. Every backup has a row in the control
database's ``backups`` table. A run backs up each target independently: one failure is
recorded and reported, and the rest carry on.

A backup counts once it has been restored: ``verify`` proves the file against its manifest
before touching any database, restores it into a scratch database, compares every table's
row count and digest with the manifest, drops the scratch database and records the result.
"""

from __future__ import annotations

import builtins
import logging
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from comandia.server.db.cluster import Cluster
from comandia.server.db.control_models import Backup, Tenant
from comandia.server.db.sessions import Databases
from comandia.server.services.backups import restore
from comandia.server.services.backups.dumps import DumpTarget, dump_to_folder
from comandia.server.services.backups.info import BackupInfo, info
from comandia.server.services.backups.retention import select_prunable
from comandia.shared.domain.errors import DomainError, NotFound, ValidationFailed
from comandia.shared.domain.tenants import TenantState
from comandia.shared.domain.times import utcnow
from comandia.shared.schemas.backups import RestoreCheck, TenantBackupState

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
CONTROL = "control"


@dataclass
class BackupOutcome:
    """What happened to one target of a run."""

    label: str
    backup: BackupInfo | None
    seconds: float
    error: str | None = None
    verify: RestoreCheck | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and (self.verify is None or self.verify.ok)

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "backup": self.backup.to_json() if self.backup else None,
            "verify": self.verify.to_json() if self.verify else None,
        }


@dataclass
class RunReport:
    run: str
    outcomes: list[BackupOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


class BackupService:
    """Backups, their retention and restore checks (restores proper: `recovery.RestoreService`).

    Args:
        databases: the appliance's databases (backups land in `databases.config.backup_dir`).
        deliver_journal: delivers a tenant's rows still in the ingest journal to its database
            and returns how many it left there (`IngestJournal.deliver_tenant`); a tenant's
            backup calls it first, so a message acknowledged a moment before is in the backup.
    """

    def __init__(self, databases: Databases, deliver_journal: Callable[[str], int] = lambda tenant_id: 0) -> None:
        self._db = databases
        self._deliver_journal = deliver_journal

    @property
    def root(self) -> Path:
        return self._db.config.backup_dir

    def run(
        self,
        tenant_ids: Sequence[str] | None,
        control: bool = False,
        key: bytes | None = None,
        verify: bool = False,
        on_progress: Progress | None = None,
    ) -> RunReport:
        """Back up the given tenants (all live ones when None) and optionally the control database.

        Never raises for one target's failure: it is recorded in the report (and in its row).
        """
        targets = self._targets(tenant_ids, control)
        report = RunReport(utcnow().strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2))
        for done, target in enumerate(targets, start=1):
            started = time.monotonic()
            outcome = BackupOutcome(target.label, None, 0.0)
            try:
                outcome.backup = self._backup(target, report.run, key)
                if verify:
                    outcome.verify = self.verify(outcome.backup.id, key)
            except DomainError as error:
                outcome.error = error.detail
            except (OSError, sa.exc.SQLAlchemyError) as error:
                log.exception("backup of %s failed", target.label)
                outcome.error = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            outcome.seconds = time.monotonic() - started
            report.outcomes.append(outcome)
            if on_progress is not None:
                on_progress(done, len(targets), target.label)
        return report

    def get(self, backup_id: int) -> BackupInfo:
        with self._db.control_session() as session:
            row = session.get(Backup, backup_id)
            if row is None:
                raise NotFound("backup {backup_id} does not exist", backup_id=backup_id)
            return info(row)

    def latest(self, tenant_id: str) -> BackupInfo:
        """The newest usable (status ok) backup of a tenant, or of the control database."""
        usable = [b for b in self.list(tenant_id) if b.status == "ok"]
        if not usable:
            raise NotFound("no backup of {tenant_id} exists", tenant_id=tenant_id)
        return usable[0]

    def prune(self, keep_daily: int, keep_weekly: int) -> list[BackupInfo]:
        """Delete the files of backups outside the retention; their rows become `pruned`.

        Per tenant (and for the control database): the newest backup of each of the last
        `keep_daily` days that have one, and of each of the last `keep_weekly` ISO weeks.
        Backups whose restore check failed never count as kept.

        Returns:
            The backups pruned.
        """
        if keep_daily < 1 or keep_weekly < 0:
            raise ValidationFailed("keep at least one daily backup (--keep-daily >= 1, --keep-weekly >= 0)")
        pruned = select_prunable(self.list(), keep_daily, keep_weekly)
        for backup in pruned:
            shutil.rmtree(backup.path, ignore_errors=True)
            with self._db.control_session() as session:
                session.execute(sa.update(Backup).where(Backup.id == backup.id).values(status="pruned"))
                session.commit()
        return pruned

    def verify(self, backup_id: int, key: bytes | None = None) -> RestoreCheck:
        """Prove a backup restores: integrity first, then a scratch restore and comparison.

        The result is recorded on the backup's row. Returns a report (``ok`` False on any
        damage or mismatch) rather than raising for a bad backup.

        Raises:
            NotFound: no such backup.
            ValidationFailed: the backup is encrypted and `key` is missing or not its key.
        """
        return restore.verify(self._db, self.get(backup_id), key)

    def states(self) -> builtins.list[TenantBackupState]:
        """Every live tenant's newest backup and last verified restore (R10), by tenant name."""
        newest = (
            sa.select(Backup.started_at, Backup.status)
            .where(Backup.tenant_id == Tenant.id, Backup.status != "pruned")
            .order_by(Backup.started_at.desc(), Backup.id.desc())
            .limit(1)
            .lateral("newest")
        )
        verified = (
            sa.select(sa.func.max(Backup.verified_at))
            .where(Backup.tenant_id == Tenant.id, Backup.verify_result == "ok")
            .scalar_subquery()
        )
        last_check = (
            sa.select(Backup.verify_result)
            .where(Backup.tenant_id == Tenant.id, Backup.verified_at.is_not(None))
            .order_by(Backup.verified_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = (
            sa.select(Tenant.id, Tenant.name, newest.c.started_at, newest.c.status, verified, last_check)
            .outerjoin(newest, sa.true())
            .where(Tenant.state != TenantState.DELETED)
            .order_by(Tenant.name, Tenant.id)
        )
        with self._db.control_session() as session:
            return [
                TenantBackupState(tenant_id, name, started, status, verified_at, check == "failed")
                for tenant_id, name, started, status, verified_at, check in session.execute(query)
            ]

    def backup_tenant(self, tenant_id: str, key: bytes | None = None, journal: bool = True) -> BackupInfo:
        """Back up one tenant now; raises on failure (used by moves and final dumps).

        `journal` False leaves the tenant's journaled messages where they are: a move backs up a
        frozen database (no login), and they reach the tenant on its new server after it.
        """
        return self._backup(
            self._targets([tenant_id], False)[0],
            utcnow().strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2),
            key,
            journal,
        )

    def _targets(self, tenant_ids: Sequence[str] | None, control: bool) -> list[DumpTarget]:
        with self._db.control_session() as session:
            query = sa.select(Tenant).where(Tenant.state != TenantState.DELETED).order_by(Tenant.id)
            if tenant_ids is not None:
                query = query.where(Tenant.id.in_(list(tenant_ids)))
            tenants = list(session.scalars(query))
            missing = set(tenant_ids or ()) - {t.id for t in tenants}
            if missing:
                raise NotFound("tenant {tenant_id} does not exist", tenant_id=sorted(missing)[0])
            targets = [DumpTarget(t.id, t.id, t.server_id, t.database_name) for t in tenants]
        if control:
            targets.append(DumpTarget(CONTROL, None, None, self._db.config.control_database))
        return targets

    def _backup(self, target: DumpTarget, run: str, key: bytes | None, journal: bool = True) -> BackupInfo:
        folder = self.root / run / target.label
        if journal and target.tenant_id is not None:
            left = self._deliver_journal(target.tenant_id)
            if left:
                log.warning(
                    "backup of %s: %d acknowledged webhooks of it are still in the ingest journal "
                    "(its database did not take them) and are not in this backup",
                    target.label,
                    left,
                )
        with self._db.control_session() as session:
            row = Backup(
                tenant_id=target.tenant_id,
                path=str(folder),
                status="running",
                encrypted=key is not None,
                started_at=utcnow(),
            )
            session.add(row)
            session.commit()
            backup_id = row.id
        try:
            manifest = dump_to_folder(target, self._cluster(target), folder, key)
        except BaseException as error:
            shutil.rmtree(folder, ignore_errors=True)
            detail = error.detail if isinstance(error, DomainError) else (str(error) or type(error).__name__)
            self._finish(backup_id, status="failed", error=detail[:2000], finished_at=utcnow())
            raise
        self._finish(backup_id, status="ok", size_bytes=manifest.size, sha256=manifest.sha256, finished_at=utcnow())
        return self.get(backup_id)

    def _cluster(self, target: DumpTarget) -> Cluster:
        return self._db.primary_cluster() if target.server_id is None else self._db.cluster(target.server_id)

    def _finish(self, backup_id: int, **values: object) -> None:
        with self._db.control_session() as session:
            session.execute(sa.update(Backup).where(Backup.id == backup_id).values(**values))
            session.commit()

    # Last in the class: after it, `list` in annotations would name this method.
    def list(self, tenant_id: str | None = None, include_pruned: bool = False) -> list[BackupInfo]:
        """Backups, newest first; `tenant_id="control"` lists the control database's."""
        query = sa.select(Backup).order_by(Backup.started_at.desc(), Backup.id.desc())
        if tenant_id == CONTROL:
            query = query.where(Backup.tenant_id.is_(None))
        elif tenant_id is not None:
            query = query.where(Backup.tenant_id == tenant_id)
        if not include_pruned:
            query = query.where(Backup.status != "pruned")
        with self._db.control_session() as session:
            return [info(row) for row in session.scalars(query)]
