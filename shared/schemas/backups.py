"""Backups on the wire: one backup, a restore check's outcome, and each tenant's backup state.

A backup counts only once it has been restored (RELIABILITY R10): `last_verified_at` is the last
time a backup of the tenant was restored into a scratch database and matched its manifest.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from comandia.shared.domain.tenants import TENANT_NAME_MAX
from comandia.shared.schemas.tenants import TENANT_ID_PATTERN
from comandia.shared.schemas.wire import Request, Wire, documented


class BackupRecord(Wire, frozen=True):
    """One backup; `tenant_id` None is the control database. (Its path on the appliance's disk
    stays on the server: `BackupInfo` there adds it.)"""

    id: int
    tenant_id: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    size_bytes: int | None
    encrypted: bool
    status: Annotated[str, documented(enum=["running", "ok", "failed", "pruned"])]
    verified_at: dt.datetime | None
    verify_result: str | None
    verify_detail: str | None
    error: str | None


class BackupList(Wire, frozen=True):
    items: tuple[BackupRecord, ...]


class RestoreCheck(Wire, frozen=True):
    """The outcome of restoring a backup into a scratch database.

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
    problems: tuple[str, ...] = ()


class BackupRun(Wire, frozen=True):
    """A backup made on request, with its restore check unless one was declined."""

    backup: BackupRecord
    check: RestoreCheck | None


class BackupRequest(Request, frozen=True):
    tenant_id: Annotated[str, msgspec.Meta(max_length=13), documented(pattern=TENANT_ID_PATTERN)]
    verify: bool | None = None


class RestoreRequest(Request, frozen=True):
    """The name of the new tenant a backup is restored as."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=TENANT_NAME_MAX)]


class TenantBackupState(Wire, frozen=True):
    """Where a live tenant stands: its newest backup, and its last verified restore."""

    tenant_id: str
    tenant_name: str
    last_backup_at: dt.datetime | None
    last_backup_status: str | None
    last_verified_at: dt.datetime | None
    last_check_failed: bool
    """The newest restore check of the tenant failed (its backups may not be usable)."""


class TenantBackupStateList(Wire, frozen=True):
    items: tuple[TenantBackupState, ...]
