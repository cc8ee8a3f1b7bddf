"""What callers see of backups: the wire record plus what stays on the appliance (its path, checksum)."""

from __future__ import annotations

from comandia.server.db.control_models import Backup
from comandia.shared.schemas.backups import BackupRecord
from comandia.shared.schemas.wire import from_attributes, narrowed


class BackupInfo(BackupRecord, frozen=True, kw_only=True):
    """One backup's registry row. `tenant_id` None means the control database. (Its own fields are
    keyword-only: they follow the record's optional ones.)"""

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
    return from_attributes(row, BackupInfo)
