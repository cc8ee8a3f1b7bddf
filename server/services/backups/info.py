"""What callers see of backups: plain dataclasses, free of ORM sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from comandia.server.db.control_models import Backup


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class BackupInfo:
    """One backup's registry row. `tenant_id` None means the control database."""

    id: int
    tenant_id: str | None
    path: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    size_bytes: int | None
    sha256: str | None
    encrypted: bool
    status: str
    verified_at: dt.datetime | None
    verify_result: str | None
    verify_detail: str | None
    error: str | None

    @property
    def label(self) -> str:
        return self.tenant_id or "control"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started_at", "finished_at", "verified_at"):
            data[key] = _iso(data[key])
        return data


@dataclass
class VerifyReport:
    """The outcome of a restore check.

    `stage` says how far it got: ``integrity`` (file vs manifest; no database touched),
    ``restore`` (pg_restore into the scratch database) or ``compare`` (tables vs manifest).
    """

    backup_id: int
    ok: bool
    stage: str
    detail: str
    seconds: float
    tables: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


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
