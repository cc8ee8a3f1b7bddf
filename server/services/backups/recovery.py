"""Restores: a tenant's database replaced by one of its backups, or a new tenant made from one.

Apart from `BackupService` because a restore provisions tenants, while a tenant's
deletion makes a final backup: with both in one class the two services would need each other.
"""

from __future__ import annotations

from collections.abc import Callable

from comandia.server.db.sessions import Databases
from comandia.server.services.backups.backups import BackupService
from comandia.server.services.backups.info import BackupInfo
from comandia.server.services.backups.restore import restore_as_new, restore_in_place
from comandia.server.services.tenancy.tenants import TenantService
from comandia.shared.domain.errors import NotFound, ValidationFailed
from comandia.shared.schemas.tenants import TenantInfo


class RestoreService:
    """Restores from recorded backups.

    Args:
        databases: the appliance's databases.
        backups: finds the backup to restore.
        tenants: provisions `restore_as`.
        changed: told the tenant id when its database is frozen and swapped by a restore in place.
    """

    def __init__(
        self,
        databases: Databases,
        backups: BackupService,
        tenants: TenantService,
        changed: Callable[[str], None] = lambda tenant_id: None,
    ) -> None:
        self._db = databases
        self._backups = backups
        self._tenants = tenants
        self._changed = changed

    def restore(
        self, tenant_id: str, backup_id: int | None = None, key: bytes | None = None, actor: str = "system"
    ) -> TenantInfo:
        """Replace a tenant's database with a backup (the newest when `backup_id` is None).

        The backup is proven against its manifest and restored into a staging database first;
        only when its tables match is the tenant frozen (its role NOLOGIN: every write refused
        with 503 + Retry-After, the superadmin's too; sessions kept), its database swapped for the
        staging one, and the tenant thawed.

        Raises:
            BackupDamaged: the file or manifest fails the integrity check (nothing touched).
            Conflict: the restored tables do not match the manifest (the live database kept).
        """
        backup = self._pick(tenant_id, backup_id)
        return restore_in_place(self._db, self._tenants, backup, tenant_id, key, actor, self._changed)

    def restore_as(
        self,
        tenant_id: str,
        new_name: str,
        backup_id: int | None = None,
        key: bytes | None = None,
        actor: str = "system",
    ) -> TenantInfo:
        """Provision a new tenant called `new_name` holding a backup of `tenant_id`'s data."""
        backup = self._pick(tenant_id, backup_id)
        return restore_as_new(self._db, self._tenants, backup, new_name, key, actor)

    def _pick(self, tenant_id: str, backup_id: int | None) -> BackupInfo:
        backup = self._backups.latest(tenant_id) if backup_id is None else self._backups.get(backup_id)
        if backup.tenant_id != tenant_id:
            raise NotFound(
                "backup {backup_id} is not a backup of {tenant_id}", backup_id=backup.id, tenant_id=tenant_id
            )
        if backup.status != "ok":
            raise ValidationFailed(
                "backup {backup_id} is {status}; pick another with --at", backup_id=backup.id, status=backup.status
            )
        return backup
