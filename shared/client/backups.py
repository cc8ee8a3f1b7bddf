"""`/api/v1/admin/backups`: list, back up now, check by restoring, restore as a new tenant (superadmin)."""

from __future__ import annotations

import builtins
from typing import Any

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.backups import (
    BackupList,
    BackupRecord,
    BackupRequest,
    BackupRun,
    RestoreCheck,
    RestoreRequest,
    TenantBackupState,
    TenantBackupStateList,
)
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
        return list(BackupList.from_json(self._t.get_json(BASE, params)).items)

    def states(self) -> builtins.list[TenantBackupState]:
        """Each live tenant's newest backup and last verified restore."""
        return list(TenantBackupStateList.from_json(self._t.get_json(f"{BASE}/tenants")).items)

    def run(self, tenant_id: str, verify: bool = True) -> tuple[BackupRecord, RestoreCheck | None]:
        """Back the tenant up now (and prove the backup by restoring it); takes seconds."""
        body = BackupRequest(tenant_id, verify).to_json()
        run = BackupRun.from_json(self._t.send_json("POST", BASE, body, timeout=WORK_TIMEOUT))
        return run.backup, run.check

    def verify(self, backup_id: int) -> RestoreCheck:
        return RestoreCheck.from_json(self._t.send_json("POST", f"{BASE}/{backup_id}/verify", timeout=WORK_TIMEOUT))

    def restore_as(self, backup_id: int, name: str) -> TenantInfo:
        """A new tenant called `name` holding the backup's data."""
        path, body = f"{BASE}/{backup_id}/restore", RestoreRequest(name).to_json()
        return TenantInfo.from_json(self._t.send_json("POST", path, body, timeout=WORK_TIMEOUT))
