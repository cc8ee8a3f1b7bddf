"""Move a tenant's database to another registered server.

deactivate -> back up (a normal, recorded backup) -> role and database on the target ->
restore -> compare every table with the backup's manifest -> point the registry at the target
-> reactivate. Until the registry switches, the source is untouched and authoritative: any
failure removes what was created on the target and reactivates the tenant where it was. The
source database is kept (a fallback) unless `drop_source` is set.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from comandia.server.db.cluster import Cluster
from comandia.server.db.control_models import DbServer, Tenant
from comandia.server.db.sessions import Databases
from comandia.server.services import audit
from comandia.server.services.backups.backups import BackupService
from comandia.server.services.backups.restore import load_and_compare, open_backup
from comandia.server.services.tenancy.tenants import TenantService, live_tenant
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.domain.tenants import TenantState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MoveReport:
    tenant_id: str
    source: str
    target: str
    backup_id: int
    tables: int
    rows: int
    seconds: float
    source_dropped: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class MoveService:
    """Relocates tenants between database servers.

    Args:
        databases: the appliance's databases.
        tenants: deactivation and reactivation around the move.
        backups: makes the (recorded) backup the move restores from.
    """

    def __init__(self, databases: Databases, tenants: TenantService, backups: BackupService) -> None:
        self._db = databases
        self._tenants = tenants
        self._backups = backups

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
                raise ValidationFailed("tenant {tenant_id} already lives on '{server}'", tenant_id=tenant_id,
                                       server=to_server)
            source_id, target_id, state = tenant.server_id, target.id, tenant.state
            database, role = tenant.database_name, tenant.role_name
            password = self._db.box.open(tenant.role_password_sealed)
        source, destination = self._db.cluster(source_id), self._db.cluster(target_id)
        if destination.database_exists(database) or destination.role_exists(role):
            raise Conflict(
                "server '{server}' already has a database or role named {database} (an old copy?); "
                "drop it there first if it is stale", server=to_server, database=database,
            )
        if state == TenantState.ACTIVE:
            self._tenants.deactivate(tenant_id, actor)
        created = False
        try:
            # Connections opened before the deactivation must not write after the snapshot.
            source.terminate_sessions(database)
            backup = self._backups.backup_tenant(tenant_id, key)
            manifest = open_backup(backup, key)
            destination.create_login_role(role, password)
            created = True
            destination.create_database(database, owner=role)
            problems = load_and_compare(destination, database, Path(backup.path), manifest, key, role)
            if problems:
                raise Conflict("the copy on the target does not match the backup: {problems}",
                               problems="; ".join(problems))
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
            self._db.tenant_engines.forget(tenant_id)
        except BaseException:
            if created:
                _undo_target(destination, database, role)
            raise
        finally:
            if state == TenantState.ACTIVE:
                self._tenants.reactivate(tenant_id, actor)
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
            drop_source,
        )


def _undo_target(cluster: Cluster, database: str, role: str) -> None:
    try:
        cluster.drop_database(database)
        cluster.drop_role(role)
    except Exception:  # the move's own error matters more; say what is left behind
        log.exception("could not clean up the target after a failed move: %s may remain", database)
