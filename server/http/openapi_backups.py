"""OpenAPI paths and schemas of backups (superadmin only)."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import (
    ID,
    TENANT_ID_PATTERN,
    TIMESTAMP,
    Schema,
    items_of,
    nullable,
    obj,
    op,
    path_param,
    query_param,
    ref,
)

_TEXT: Schema = {"type": "string"}
_OPT = nullable(_TEXT)
_ADMIN = (403,)

BACKUP_COMPONENTS: dict[str, Schema] = {
    "Backup": obj({
        "id": ID, "tenant_id": _OPT, "started_at": TIMESTAMP, "finished_at": nullable(TIMESTAMP),
        "size_bytes": nullable({"type": "integer"}), "encrypted": {"type": "boolean"},
        "status": {"type": "string", "enum": ["running", "ok", "failed", "pruned"]},
        "verified_at": nullable(TIMESTAMP), "verify_result": _OPT, "verify_detail": _OPT, "error": _OPT,
    }),
    "BackupList": items_of("Backup"),
    "RestoreCheck": obj({
        "backup_id": ID, "ok": {"type": "boolean"}, "stage": {"type": "string"}, "detail": _TEXT,
        "seconds": {"type": "number"}, "tables": {"type": "integer"}, "rows": {"type": "integer"},
        "problems": {"type": "array", "items": _TEXT},
    }),
    "BackupRun": obj({"backup": ref("Backup"), "check": nullable(ref("RestoreCheck"))}),
    "TenantBackupState": obj({
        "tenant_id": _TEXT, "tenant_name": _TEXT, "last_backup_at": nullable(TIMESTAMP),
        "last_backup_status": _OPT, "last_verified_at": nullable(TIMESTAMP), "last_check_failed": {"type": "boolean"},
    }),
    "TenantBackupStateList": items_of("TenantBackupState"),
}


def backup_paths() -> dict[str, Schema]:
    base = "/api/v1/admin/backups"
    item = [path_param("backup_id", ID)]
    return {
        base: {
            "get": op("Backups, newest first (superadmin); tenant_id=control for the control database",
                      (200, ref("BackupList")), (403, 422),
                      params=[query_param("tenant_id", {"type": "string", "maxLength": 13}),
                              query_param("limit", {"type": "integer", "minimum": 1, "maximum": 500})]),
            "post": op("Back a tenant up now and prove the backup by restoring it (superadmin)",
                       (201, ref("BackupRun")), (403, 404),
                       body=obj({"tenant_id": {"type": "string", "pattern": TENANT_ID_PATTERN},
                                 "verify": {"type": "boolean"}}, required=("tenant_id",))),
        },
        f"{base}/tenants": {
            "get": op("Each live tenant's newest backup and last verified restore (superadmin)",
                      (200, ref("TenantBackupStateList")), _ADMIN),
        },
        f"{base}/{{backup_id}}/verify": {
            "parameters": item,
            "post": op("Restore the backup into a scratch database and compare it (superadmin)",
                       (200, ref("RestoreCheck")), (403, 404, 422)),
        },
        f"{base}/{{backup_id}}/restore": {
            "parameters": item,
            "post": op("Restore the backup as a new tenant (superadmin); the original is untouched",
                       (201, ref("Tenant")), (403, 404, 409),
                       body=obj({"name": {"type": "string", "minLength": 1, "maxLength": 120}})),
        },
    }
