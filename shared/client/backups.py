"""`/api/v1/admin/backups`: list, back up now, check by restoring, restore as a new tenant (superadmin)."""

from __future__ import annotations

from typing import Any

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.backups import BackupRecord, RestoreCheck, TenantBackupState
from comandia.shared.schemas.tenants import TenantInfo

BASE = "/api/v1/admin/backups"
WORK_TIMEOUT = 600.0
"""Seconds a backup, a restore check or a restore may take: each copies a whole tenant database."""


class BackupsApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, tenant_id: str | None = None, limit: int = 100) -> list[BackupRecord]:
        """Newest first; `tenant_id="control"` for the control database's."""
        params: dict[str, Any] = {"limit": limit} | ({"tenant_id": tenant_id} if tenant_id else {})
        return [BackupRecord.from_json(item) for item in self._t.get_json(BASE, params)["items"]]

    def states(self) -> list[TenantBackupState]:
        """Each live tenant's newest backup and last verified restore."""
        return [TenantBackupState.from_json(item) for item in self._t.get_json(f"{BASE}/tenants")["items"]]

    def run(self, tenant_id: str, verify: bool = True) -> tuple[BackupRecord, RestoreCheck | None]:
        """Back the tenant up now (and prove the backup by restoring it); takes seconds."""
        data = self._t.send_json("POST", BASE, {"tenant_id": tenant_id, "verify": verify}, timeout=WORK_TIMEOUT)
        return BackupRecord.from_json(data["backup"]), RestoreCheck.from_json(data["check"]) if data["check"] else None

    def verify(self, backup_id: int) -> RestoreCheck:
        return RestoreCheck.from_json(self._t.send_json("POST", f"{BASE}/{backup_id}/verify", timeout=WORK_TIMEOUT))

    def restore_as(self, backup_id: int, name: str) -> TenantInfo:
        """A new tenant called `name` holding the backup's data."""
        path, body = f"{BASE}/{backup_id}/restore", {"name": name}
        return TenantInfo.from_json(self._t.send_json("POST", path, body, timeout=WORK_TIMEOUT))
