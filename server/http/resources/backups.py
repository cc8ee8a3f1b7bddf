"""`/api/v1/admin/backups`: superadmins list backups, back a tenant up now, check a backup by
restoring it, and restore one as a new tenant. Tenant managers never see backups.

Encrypted backups use the appliance's key file (COMANDIA_BACKUP_KEY_FILE), as the schedule does;
the key never crosses the API. Backing up and checking run inside the request: a tenant takes
seconds, and the console runs the call off its GUI thread with a busy indicator.
"""

from __future__ import annotations

from collections.abc import Callable

import falcon

from comandia.server.http.answers import created
from comandia.server.http.auth import require_superadmin
from comandia.server.http.bodies import path_id, query_int, query_text, read_body
from comandia.server.services.backups.backups import BackupService
from comandia.server.services.backups.recovery import RestoreService
from comandia.shared.domain.errors import Conflict, Unavailable
from comandia.shared.schemas.backups import BackupList, BackupRequest, BackupRun, RestoreRequest, TenantBackupStateList

KeyLoader = Callable[[], bytes | None]


class BackupCollection:
    def __init__(self, backups: BackupService, key: KeyLoader) -> None:
        self._backups = backups
        self._key = key

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Backups newest first; `tenant_id=control` lists the control database's."""
        require_superadmin(req)
        tenant_id = query_text(req, "tenant_id", max_len=13)
        limit = query_int(req, "limit", maximum=500) or 100
        resp.media = BackupList(tuple(b.record for b in self._backups.list(tenant_id)[:limit])).to_json()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Back one tenant up now and, unless `verify` is false, prove the backup by restoring it."""
        require_superadmin(req)
        body = read_body(req, BackupRequest)
        tenant_id, verify = body.tenant_id, body.verify
        key = self._key()
        report = self._backups.run([tenant_id], key=key, verify=verify is not False)
        [outcome] = report.outcomes
        if outcome.backup is None or outcome.error:
            raise Unavailable(
                "the backup of {tenant_id} failed: {reason}",
                tenant_id=tenant_id,
                reason=outcome.error or "unknown error",
            )
        backup = self._backups.get(outcome.backup.id)
        created(resp, f"/api/v1/admin/backups/{backup.id}", BackupRun(backup.record, outcome.verify))


class BackupStates:
    def __init__(self, backups: BackupService) -> None:
        self._backups = backups

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Each live tenant's newest backup and last verified restore."""
        require_superadmin(req)
        resp.media = TenantBackupStateList(tuple(self._backups.states())).to_json()


class BackupVerify:
    def __init__(self, backups: BackupService, key: KeyLoader) -> None:
        self._backups = backups
        self._key = key

    def on_post(self, req: falcon.Request, resp: falcon.Response, backup_id: str) -> None:
        """Restore the backup into a scratch database and compare it with its manifest; recorded."""
        require_superadmin(req)
        resp.media = self._backups.verify(path_id(backup_id, "backup"), self._key()).to_json()


class BackupRestore:
    def __init__(self, backups: BackupService, restores: RestoreService, key: KeyLoader) -> None:
        self._backups = backups
        self._restores = restores
        self._key = key

    def on_post(self, req: falcon.Request, resp: falcon.Response, backup_id: str) -> None:
        """Provision a new tenant `name` holding this backup's data (the original is untouched)."""
        principal = require_superadmin(req)
        name = read_body(req, RestoreRequest).name
        backup = self._backups.get(path_id(backup_id, "backup"))
        if backup.tenant_id is None:
            raise Conflict("a backup of the control database cannot become a tenant; use comandia-admin")
        tenant = self._restores.restore_as(backup.tenant_id, name, backup.id, self._key(), actor=principal.username)
        created(resp, f"/api/v1/tenants/{tenant.id}", tenant)
