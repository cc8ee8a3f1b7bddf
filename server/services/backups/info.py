"""What callers see of backups: the wire record plus what stays on the appliance (its path, checksum)."""

from __future__ import annotations

from comandia.server.db.control_models import Backup
from comandia.shared.schemas.backups import BackupRecord
from comandia.shared.schemas.wire import narrowed


class BackupInfo(BackupRecord, frozen=True):
    """One backup's registry row. `tenant_id` None means the control database."""

    path: str
    sha256: str | None

    @property
    def label(self) -> str:
        return self.tenant_id or "control"

    @property
    def record(self) -> BackupRecord:
        """What the API shows of it: everything but where it lies on the appliance's disk."""
        return narrowed(self, BackupRecord)


def info(row: Backup) -> BackupInfo:
    return BackupInfo(
        id=row.id,
        tenant_id=row.tenant_id,
        path=row.path,
        started_at=row.started_at,
        finished_at=row.finished_at,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        encrypted=row.encrypted,
        status=row.status,
        verified_at=row.verified_at,
        verify_result=row.verify_result,
        verify_detail=row.verify_detail,
        error=row.error,
    )
