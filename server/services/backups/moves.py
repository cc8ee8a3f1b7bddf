"""Move a tenant's database to another registered server.

freeze (the tenant's role NOLOGIN on the source, every session ended) -> back up (a normal,
recorded backup) -> role and database on the target -> restore -> compare every table with the
backup's manifest -> point the registry at the target (the frozen window ends). Until the
registry switches, the source is untouched and authoritative: any failure removes what was
created on the target and lets the role log in on the source again. The source database is
kept (a fallback, its role left NOLOGIN so nothing writes to the stale copy) unless
`drop_source` is set.

While frozen (`freezing.freeze`), nothing can write to the tenant: not its managers, not the
superadmin, not the webhooks, not the jobs (every tenant session logs in as the tenant's role,
and NOLOGIN refuses new connections at once). A write that was under way when the sessions ended
is rolled back. Each is answered 503 with `Retry-After` (the database is "not reachable"), never
500, so clients and WhatsApp retry; nothing acknowledged is lost because nothing is acknowledged
before it commits. The tenant stays active meanwhile: its managers keep their sessions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from comandia.server.db.cluster import Cluster
from comandia.server.db.control_models import DbServer, Tenant
from comandia.server.db.sessions import Databases
from comandia.server.services import audit
from comandia.server.services.backups.backups import BackupService
from comandia.server.services.backups.freezing import freeze, thaw
from comandia.server.services.backups.restore import ManifestMismatch, load_and_compare, open_backup
from comandia.server.services.tenancy.tenants import live_tenant
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.i18n import N_

log = logging.getLogger(__name__)

MOVE_UNLIKE_BACKUP = N_("the copy on the target does not match the backup: {problems}")


@dataclass(frozen=True)
class MoveReport:
    tenant_id: str
    source: str
    target: str
    backup_id: int
    tables: int
    rows: int
    seconds: float
    frozen_seconds: float
    """How long the tenant could not be written (NOLOGIN until the registry pointed at the target)."""
    source_dropped: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class MoveService:
    """Relocates tenants between database servers.

    Args:
        databases: the appliance's databases.
        backups: makes the (recorded) backup the move restores from.
        changed: told the tenant id when its database is frozen, moved or thawed (every process
            drops its pool and cached context of the tenant).
    """

    def __init__(
        self, databases: Databases, backups: BackupService, changed: Callable[[str], None] = lambda tenant_id: None
    ) -> None:
        self._db = databases
        self._backups = backups
        self._changed = changed

    def move(
        self, tenant_id: str, to_server: str, actor: str, drop_source: bool = False, key: bytes | None = None
    ) -> MoveReport:
        """Move `tenant_id` to the server registered as `to_server`.

        Raises:
            NotFound: no such tenant or server.
            ValidationFailed: the tenant already lives there.
            Conflict: the target already has a database or role of that name, or the restored
                tables differ from the backup (nothing switched).
            Unavailable: a server does not answer (nothing switched).
        """
        started = time.monotonic()
        with self._db.control_session() as session:
            tenant = live_tenant(session, tenant_id)
            target = session.scalar(sa.select(DbServer).where(DbServer.name == to_server))
            if target is None:
                raise NotFound("database server '{server}' is not registered", server=to_server)
            if target.id == tenant.server_id:
                raise ValidationFailed(
                    "tenant {tenant_id} already lives on '{server}'", tenant_id=tenant_id, server=to_server
                )
            source_id, target_id = tenant.server_id, target.id
            database, role = tenant.database_name, tenant.role_name
            password = self._db.box.open(tenant.role_password_sealed)
        source, destination = self._db.cluster(source_id), self._db.cluster(target_id)
        if destination.database_exists(database) or destination.role_exists(role):
            raise Conflict(
                "server '{server}' already has a database or role named {database} (an old copy?); "
                "drop it there first if it is stale",
                server=to_server,
                database=database,
            )
        created = False
        frozen = time.monotonic()
        try:
            # Connections opened before the freeze must not write after the snapshot.
            freeze(source, database, role, lambda: self._forget(tenant_id))
            backup = self._backups.backup_tenant(tenant_id, key, journal=False)
            manifest = open_backup(backup, key)
            destination.create_login_role(role, password)
            created = True
            destination.create_database(database, owner=role)
            problems = load_and_compare(destination, database, Path(backup.path), manifest, key, role)
            if problems:
                raise ManifestMismatch(problems, MOVE_UNLIKE_BACKUP)
            with self._db.control_session() as session:
                session.execute(sa.update(Tenant).where(Tenant.id == tenant_id).values(server_id=target_id))
                audit.record(
                    session,
                    actor,
                    "tenant.move",
                    tenant_id,
                    source=source.name,
                    target=to_server,
                    backup_id=backup.id,
                    source_kept=not drop_source,
                )
                session.commit()
            self._forget(tenant_id)
            frozen_seconds = time.monotonic() - frozen
        except BaseException:
            if created:
                _undo_target(destination, database, role)
            thaw(source, role)
            self._forget(tenant_id)
            raise
        log.info("moved tenant %s to %s; frozen %.2f s", tenant_id, to_server, frozen_seconds)
        if drop_source:
            source.drop_database(database)
            source.drop_role(role)
        rows = sum(t.rows for t in manifest.tables.values())
        return MoveReport(
            tenant_id,
            source.name,
            to_server,
            backup.id,
            len(manifest.tables),
            rows,
            time.monotonic() - started,
            frozen_seconds,
            drop_source,
        )

    def _forget(self, tenant_id: str) -> None:
        self._db.tenant_engines.forget(tenant_id)
        self._changed(tenant_id)


def _undo_target(cluster: Cluster, database: str, role: str) -> None:
    try:
        cluster.drop_database(database)
        cluster.drop_role(role)
    except Exception:  # the move's own error matters more; say what is left behind
        log.exception("could not clean up the target after a failed move: %s may remain", database)
