"""Bring the control database, every template and every tenant database to head.

Each tenant database is upgraded in its own transaction, so a failure (or a kill) leaves it at
its old revision; running the command again resumes with the tenants not yet at head.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from comandia.server.db import migrate, template
from comandia.server.db.bootstrap import ensure_control_database
from comandia.server.db.cluster import sa_connection
from comandia.server.db.control_models import DbServer, Tenant
from comandia.server.db.sessions import Databases
from comandia.shared.domain.tenants import TenantState

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass
class MigrationReport:
    control_revision: str
    target_revision: str
    upgraded: list[str] = field(default_factory=list)
    already_current: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


class MigrationService:
    def __init__(self, databases: Databases) -> None:
        self._db = databases

    def migrate_all(self, on_progress: Progress | None = None) -> MigrationReport:
        """Upgrade everything; never stops at the first failing tenant."""
        report = MigrationReport(ensure_control_database(self._db), migrate.head_revision("tenant"))
        with self._db.control_session() as session:
            server_ids = list(session.scalars(sa.select(DbServer.id).order_by(DbServer.id)))
            tenants = list(
                session.execute(
                    sa.select(Tenant.id, Tenant.server_id, Tenant.database_name, Tenant.role_name)
                    .where(Tenant.state != TenantState.DELETED)
                    .order_by(Tenant.id)
                )
            )
        for server_id in server_ids:
            self._upgrade_template(server_id, report)
        for done, (tenant_id, server_id, database, role) in enumerate(tenants, start=1):
            self._upgrade_tenant(tenant_id, server_id, database, role, report)
            if on_progress is not None:
                on_progress(done, len(tenants), tenant_id)
        return report

    def _upgrade_template(self, server_id: int, report: MigrationReport) -> None:
        cluster = self._db.cluster(server_id)
        try:
            with cluster.exclusive("comandia-template"):
                template.ensure_template(cluster, self._db.prefix, self._db.budget, self._db.options)
        except Exception as error:  # noqa: BLE001 - reported like a tenant's failure
            log.warning("migration of the template on %s failed", cluster.name, exc_info=error)
            report.failed[f"template@{cluster.name}"] = _reason(error)

    def _upgrade_tenant(
        self, tenant_id: str, server_id: int, database: str, role: str, report: MigrationReport
    ) -> None:
        try:
            cluster = self._db.cluster(server_id)
            with sa_connection(cluster, database, self._db.budget, self._db.options) as connection:
                before = migrate.current_revision(connection)
                connection.rollback()
                if before == report.target_revision:
                    report.already_current.append(tenant_id)
                    revision = before
                else:
                    revision = migrate.upgrade(connection, "tenant", as_role=role)
                    report.upgraded.append(tenant_id)
        except Exception as error:  # noqa: BLE001 - any failure of one tenant is reported, never fatal to the rest
            log.warning("migration of tenant %s failed", tenant_id, exc_info=error)
            report.failed[tenant_id] = _reason(error)
            return
        with self._db.control_session() as session:
            session.execute(sa.update(Tenant).where(Tenant.id == tenant_id).values(schema_revision=revision))
            session.commit()


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__
