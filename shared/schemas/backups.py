"""Backups on the wire: one backup, a restore check's outcome, and each tenant's backup state.

A backup counts only once it has been restored (RELIABILITY R10): `last_verified_at` is the last
time a backup of the tenant was restored into a scratch database and matched its manifest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(str(value)) if value else None


@dataclass(frozen=True)
class BackupRecord:
    """One backup; `tenant_id` None is the control database."""

    id: int
    tenant_id: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    size_bytes: int | None
    encrypted: bool
    status: str
    verified_at: dt.datetime | None
    verify_result: str | None
    verify_detail: str | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started_at", "finished_at", "verified_at"):
            data[key] = _iso(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BackupRecord:
        values: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        for key in ("started_at", "finished_at", "verified_at"):
            values[key] = _parse(values[key])
        return cls(**values)


@dataclass(frozen=True)
class RestoreCheck:
    """The outcome of restoring a backup into a scratch database; `stage` says how far it got."""

    backup_id: int
    ok: bool
    stage: str
    detail: str
    seconds: float
    tables: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RestoreCheck:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class TenantBackupState:
    """Where a live tenant stands: its newest backup, and its last verified restore."""

    tenant_id: str
    tenant_name: str
    last_backup_at: dt.datetime | None
    last_backup_status: str | None
    last_verified_at: dt.datetime | None
    last_check_failed: bool
    """The newest restore check of the tenant failed (its backups may not be usable)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_backup_at", "last_verified_at"):
            data[key] = _iso(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TenantBackupState:
        values: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        for key in ("last_backup_at", "last_verified_at"):
            values[key] = _parse(values[key])
        return cls(**values)
