"""Restore checks and restores. Every path proves the file against its manifest first.

Order of operations, so that a bad backup never costs live data:
1. integrity: manifest present, file size and SHA-256 equal to the manifest's and the registry's;
2. restore into a database of our own (scratch for checks, staging for restores);
3. compare every table's row count and digest with the manifest;
4. only then touch the tenant: freeze it (`freezing.freeze`: its role NOLOGIN, its sessions
   ended, so every write, the superadmin's too, is refused with 503 + `Retry-After` and retried
   by its sender), swap the staging database in (two renames: the live one aside, the staging
   one in its place; the old one is dropped after the thaw, since DROP DATABASE can take
   seconds on a busy server), thaw it. The tenant stays active and its users
   keep their sessions; writes acknowledged before the freeze went to the database that the
   backup replaces, as a restore means.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from psycopg import sql

from comandia.server.db import dump
from comandia.server.db.cluster import Cluster
from comandia.server.db.control_models import Backup, DbServer, Tenant
from comandia.server.db.sessions import Databases
from comandia.server.services import audit
from comandia.server.services.backups.crypto import BackupDamaged, key_id, read_plain
from comandia.server.services.backups.freezing import freeze, thaw
from comandia.server.services.backups.info import BackupInfo
from comandia.server.services.backups.manifest import Manifest, checked_manifest, compare_tables
from comandia.server.services.tenancy.tenants import NewTenant, TenantService
from comandia.shared.domain.errors import Conflict, DomainError, NotFound, Unavailable, ValidationFailed
from comandia.shared.domain.tenants import TenantState
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import N_, text
from comandia.shared.schemas.backups import TABLES_DIFFER, CheckFailure, RestoreCheck, TableMismatch
from comandia.shared.schemas.tenants import TenantInfo

log = logging.getLogger(__name__)

RESTORE_UNLIKE_MANIFEST = N_("the restored database does not match the backup's manifest: {problems}")


class ManifestMismatch(Conflict):
    """A restore whose tables differ from its manifest; nothing of the tenant was touched.
    Each mismatch is read in the reader's language (`localized`)."""

    def __init__(self, mismatches: list[TableMismatch], template: str = RESTORE_UNLIKE_MANIFEST) -> None:
        """Args: template: the sentence (a catalog template) the listed `{problems}` go into."""
        super().__init__(template, problems=_listed(mismatches, "en"))
        self.mismatches = mismatches

    def localized(self, language: str) -> str:
        return text(language, self.template, problems=_listed(self.mismatches, language))


def _listed(mismatches: list[TableMismatch], language: str) -> str:
    return "; ".join(m.sentence(language) for m in mismatches)


def failure_of(error: DomainError) -> CheckFailure:
    """A domain error as a check's failure: its template and its values (as text, numbers kept),
    so a reader far from the server still reads it in their own language."""
    values = {name: v if isinstance(v, int) and not isinstance(v, bool) else str(v) for name, v in error.values.items()}
    return CheckFailure(error.template, values)


def open_backup(backup: BackupInfo, key: bytes | None) -> Manifest:
    """The backup's manifest, after proving the file and checking that `key` opens it.

    Raises:
        BackupDamaged: missing manifest or file, wrong size or SHA-256.
        ValidationFailed: an encrypted backup and no key, or another key.
    """
    manifest = checked_manifest(Path(backup.path), backup.sha256)
    if manifest.encrypted:
        if key is None:
            raise ValidationFailed("backup {backup_id} is encrypted: pass --encrypt-key FILE", backup_id=backup.id)
        if key_id(key) != manifest.key_id:
            raise ValidationFailed(
                "backup {backup_id} was encrypted with another key (id {key_id})",
                backup_id=backup.id,
                key_id=manifest.key_id,
            )
    return manifest


def load_and_compare(
    cluster: Cluster, database: str, folder: Path, manifest: Manifest, key: bytes | None, role: str | None
) -> list[TableMismatch]:
    """pg_restore the backup into the empty `database` and compare its tables with the manifest.

    Returns:
        The differences (empty when the restore matches the snapshot exactly).
    """
    server = cluster.version()
    tool = dump.find_tool("pg_restore", max(server, manifest.dump_tool_version))
    chunks = read_plain(folder / manifest.file, key if manifest.encrypted else None)
    older = dump.tool_major(tool) > server
    dump.restore_stream(tool, cluster.admin_url, database, chunks, role, older_server=older)
    with cluster.connect(database) as connection, connection.transaction():
        actual = dump.table_digests(connection)
    return compare_tables(manifest.tables, actual)


def verify(db: Databases, backup: BackupInfo, key: bytes | None) -> RestoreCheck:
    """Integrity check, scratch restore, comparison; the result is recorded on the backup's row."""
    started = time.monotonic()
    try:
        manifest = open_backup(backup, key)
    except BackupDamaged as error:
        return _record(db, _failed(backup.id, "integrity", error, started))
    cluster = _home_cluster(db, backup.tenant_id)
    scratch = f"{db.prefix}_verify_{backup.id}"
    cluster.drop_database(scratch)  # a leftover of an interrupted check: ours by name
    cluster.create_database(scratch)
    try:
        problems = load_and_compare(cluster, scratch, Path(backup.path), manifest, key, None)
    except (Unavailable, BackupDamaged) as error:
        return _record(db, _failed(backup.id, "restore", error, started))
    finally:
        cluster.drop_database(scratch)
    rows = sum(t.rows for t in manifest.tables.values())
    failure = CheckFailure(TABLES_DIFFER, mismatches=tuple(problems)) if problems else None
    detail = failure.sentence("en") if failure else f"{len(manifest.tables)} tables, {rows} rows match"
    report = RestoreCheck(
        backup.id, failure is None, "compare", detail, _since(started), len(manifest.tables), rows, failure
    )
    return _record(db, report)


def _failed(backup_id: int, stage: str, error: DomainError, started: float) -> RestoreCheck:
    return RestoreCheck(backup_id, False, stage, error.detail, _since(started), failure=failure_of(error))


def restore_in_place(
    db: Databases,
    tenants: TenantService,
    backup: BackupInfo,
    tenant_id: str,
    key: bytes | None,
    actor: str,
    changed: Callable[[str], None] = lambda tenant_id: None,
) -> TenantInfo:
    """Swap a tenant's database for a proven restore of `backup` (see the module's order).

    `changed` is told the tenant id when its database is frozen and swapped (every process drops
    its pool and cached context of the tenant)."""
    manifest = open_backup(backup, key)
    with db.control_session() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None or tenant.state == TenantState.DELETED:
            raise NotFound(
                "tenant {tenant_id} does not exist (use --as NAME to restore it as a new tenant)", tenant_id=tenant_id
            )
        server_id, database, role = tenant.server_id, tenant.database_name, tenant.role_name
        password = db.box.open(tenant.role_password_sealed)
    cluster = db.cluster(server_id)
    if not cluster.role_exists(role):  # the server was rebuilt empty after a loss: recreate the login
        cluster.create_login_role(role, password)
    staging = _stage(cluster, db.prefix, tenant_id, role, Path(backup.path), manifest, key)

    def forget() -> None:
        db.tenant_engines.forget(tenant_id)
        changed(tenant_id)

    replaced = _replaced_name(db.prefix, tenant_id)
    cluster.drop_database(replaced)  # a leftover of an interrupted restore: ours by name
    could_login = cluster.can_login(role)  # a role kept NOLOGIN on purpose stays so
    frozen = time.monotonic()
    try:
        freeze(cluster, database, role, forget)
        _swap(db, cluster, tenant_id, staging, database, replaced)
        _registered(db, tenant_id, manifest, actor, "tenant.restore", backup_id=backup.id)
        forget()
    finally:
        if could_login:
            thaw(cluster, role)
        log.info("restored tenant %s from backup %d; frozen %.2f s", tenant_id, backup.id, time.monotonic() - frozen)
    cluster.drop_database(replaced)
    return tenants.get(tenant_id)


def restore_as_new(
    db: Databases, tenants: TenantService, backup: BackupInfo, new_name: str, key: bytes | None, actor: str
) -> TenantInfo:
    """Provision tenant `new_name` (same settings and server as the source) holding the backup."""
    manifest = open_backup(backup, key)
    with db.control_session() as session:
        source = session.get(Tenant, backup.tenant_id) if backup.tenant_id else None
        if source is None:
            raise ValidationFailed("backup {backup_id} is not a tenant backup", backup_id=backup.id)
        server = session.get(DbServer, source.server_id)
        request = NewTenant(
            new_name,
            source.timezone,
            source.currency,
            source.locale,
            server.name if server else None,
            country_locale=source.country_locale,
        )
    created = tenants.create(request, actor)
    cluster: Cluster | None = None
    try:
        with db.control_session() as session:
            tenant = session.get(Tenant, created.id)
            assert tenant is not None
            server_id, database, role = tenant.server_id, tenant.database_name, tenant.role_name
        cluster = db.cluster(server_id)
        staging = _stage(cluster, db.prefix, created.id, role, Path(backup.path), manifest, key)
        with cluster.connect(staging) as connection:
            connection.execute("UPDATE tenant_info SET tenant_id = %s", (created.id,))
        replaced = _replaced_name(db.prefix, created.id)
        _swap(db, cluster, created.id, staging, database, replaced)
        cluster.drop_database(replaced)
        _registered(db, created.id, manifest, actor, "tenant.restore_as", backup_id=backup.id, source=backup.tenant_id)
    except BaseException:
        if cluster is not None:
            cluster.drop_database(f"{db.prefix}_restore_{created.id}")
        tenants.delete(created.id, actor, keep_backup=False)
        raise
    return tenants.get(created.id)


def _stage(
    cluster: Cluster,
    prefix: str,
    tenant_id: str,
    role: str,
    folder: Path,
    manifest: Manifest,
    key: bytes | None,
) -> str:
    """Restore into `<prefix>_restore_<tenant>` owned by `role`; dropped again unless it matches."""
    staging = f"{prefix}_restore_{tenant_id}"
    cluster.drop_database(staging)
    cluster.create_database(staging, owner=role)
    try:
        problems = load_and_compare(cluster, staging, folder, manifest, key, role)
        if problems:
            raise ManifestMismatch(problems)
    except BaseException:
        cluster.drop_database(staging)
        raise
    return staging


def _replaced_name(prefix: str, tenant_id: str) -> str:
    """Where a restore puts the database it replaces until it drops it."""
    return f"{prefix}_replaced_{tenant_id}"


def _swap(db: Databases, cluster: Cluster, tenant_id: str, staging: str, database: str, replaced: str) -> None:
    """Rename `database` to `replaced` and `staging` to `database` (each instant, unlike a drop);
    the caller drops `replaced`. A failed second rename puts the live database back. A database
    lost with its server (restored onto a rebuilt one) has nothing to put aside."""
    db.tenant_engines.forget(tenant_id)
    present = cluster.database_exists(database)
    if present:
        cluster.terminate_sessions(database)  # a RENAME needs the database to itself
        _rename(cluster, database, replaced)
    try:
        _rename(cluster, staging, database)
    except BaseException:
        try:
            if present:
                _rename(cluster, replaced, database)
        except BaseException:
            log.critical(
                "tenant %s: its database is now named %s and %s could not take its place; rename one "
                "of them to %s by hand",
                tenant_id,
                replaced,
                staging,
                database,
            )
        raise


def _rename(cluster: Cluster, old: str, new: str) -> None:
    with cluster.connect() as connection:
        connection.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new)))


def _registered(db: Databases, tenant_id: str, manifest: Manifest, actor: str, action: str, **detail: object) -> None:
    with db.control_session() as session:
        session.execute(
            sa.update(Tenant).where(Tenant.id == tenant_id).values(schema_revision=manifest.schema_revision)
        )
        audit.record(session, actor, action, tenant_id, snapshot=manifest.started_at, **detail)
        session.commit()


def _home_cluster(db: Databases, tenant_id: str | None) -> Cluster:
    """Where a scratch restore runs: the tenant's server, else the primary one."""
    if tenant_id is not None:
        with db.control_session() as session:
            tenant = session.get(Tenant, tenant_id)
            if tenant is not None and tenant.state != TenantState.DELETED:
                return db.cluster(tenant.server_id)
    return db.primary_cluster()


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def _record(db: Databases, report: RestoreCheck) -> RestoreCheck:
    with db.control_session() as session:
        session.execute(
            sa.update(Backup)
            .where(Backup.id == report.backup_id)
            .values(
                verified_at=utcnow(),
                verify_result="ok" if report.ok else "failed",
                verify_detail=report.detail[:2000],
                verify_failure=report.failure.to_json() if report.failure else None,
            )
        )
        session.commit()
    return report
