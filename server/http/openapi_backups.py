"""OpenAPI paths of backups (superadmin only)."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import ID, Schema, op, path_param, query_param, ref
from comandia.shared.schemas.backups import (
    BackupList,
    BackupRequest,
    BackupRun,
    RestoreCheck,
    RestoreRequest,
    TenantBackupStateList,
)
from comandia.shared.schemas.tenants import TenantInfo

_ADMIN = (403,)


def backup_paths() -> dict[str, Schema]:
    base = "/api/v1/admin/backups"
    item = [path_param("backup_id", ID)]
    return {
        base: {
            "get": op(
                "Backups, newest first (superadmin); tenant_id=control for the control database",
                (200, ref(BackupList)),
                (403, 422),
                params=[
                    query_param("tenant_id", {"type": "string", "maxLength": 13}),
                    query_param("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
                ],
            ),
            "post": op(
                "Back a tenant up now and prove the backup by restoring it (superadmin)",
                (201, ref(BackupRun)),
                (403, 404),
                body=ref(BackupRequest),
            ),
        },
        f"{base}/tenants": {
            "get": op(
                "Each live tenant's newest backup and last verified restore (superadmin)",
                (200, ref(TenantBackupStateList)),
                _ADMIN,
            ),
        },
        f"{base}/{{backup_id}}/verify": {
            "parameters": item,
            "post": op(
                "Restore the backup into a scratch database and compare it (superadmin)",
                (200, ref(RestoreCheck)),
                (403, 404, 422),
            ),
        },
        f"{base}/{{backup_id}}/restore": {
            "parameters": item,
            "post": op(
                "Restore the backup as a new tenant (superadmin); the original is untouched",
                (201, ref(TenantInfo)),
                (403, 404, 409),
                body=ref(RestoreRequest),
            ),
        },
    }
