"""Backups on the wire: one backup, a restore check's outcome, and each tenant's backup state.

A backup counts only once it has been restored (RELIABILITY R10): `last_verified_at` is the last
time a backup of the tenant was restored into a scratch database and matched its manifest.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from comandia.shared.domain.tenants import TENANT_NAME_MAX
from comandia.shared.i18n import N_, NC_, pgettext, text
from comandia.shared.schemas.tenants import TENANT_ID_PATTERN
from comandia.shared.schemas.wire import Request, Wire, documented

MismatchKind = Annotated[str, documented(enum=["missing", "extra", "rows", "digest"])]

MISMATCH_TEXTS: dict[str, str] = {
    "missing": N_("{table}: missing after restore"),
    "extra": N_("{table}: not in the backup"),
    "rows": N_("{table}: {got} rows, expected {expected}"),
    "digest": N_("{table}: row digest differs"),
}
"""How each kind of `TableMismatch` reads (catalog templates; the reader's side translates them)."""

TABLES_DIFFER = N_("the restored tables differ from the backup's manifest")
"""The message of a check that restored the backup and found tables unlike its manifest."""


STAGE_TEXTS: dict[str, tuple[str, str]] = {
    "integrity": NC_("restore check stage", "integrity"),
    "restore": NC_("restore check stage", "restore"),
    "compare": NC_("restore check stage", "comparison"),
}


def stage_name(language: str, stage: str) -> str:
    """A `RestoreCheck.stage` in `language`; an unknown one (a newer server's) as it came."""
    return pgettext(language, *STAGE_TEXTS[stage]) if stage in STAGE_TEXTS else stage


class TableMismatch(Wire, frozen=True):
    """One table of a restored backup unlike its manifest: ``missing`` after the restore, ``extra``
    (not in the backup), ``rows`` (`got` rows, `expected` by the manifest) or ``digest`` (same count,
    other rows)."""

    table: str
    kind: MismatchKind
    got: int | None = None
    expected: int | None = None

    def sentence(self, language: str) -> str:
        """The mismatch in `language` (``es`` or ``en``); an unknown kind (a newer server) by its name."""
        template = MISMATCH_TEXTS.get(self.kind, "{table}: " + self.kind)
        return text(language, template, table=self.table, got=self.got, expected=self.expected)


class CheckFailure(Wire, frozen=True):
    """Why a restore check failed, as data: `message` is a catalog template (English, as
    `shared.domain.errors` errors carry theirs) filled by `values`, and `mismatches` the tables
    that differ. Each reader renders it in their own language (`sentence`)."""

    message: str
    values: dict[str, str | int] = msgspec.field(default_factory=dict)
    mismatches: tuple[TableMismatch, ...] = ()

    def sentence(self, language: str) -> str:
        """The message and every mismatch in `language`, joined by ``; ``."""
        parts = [text(language, self.message, **self.values)]
        return "; ".join(parts + [m.sentence(language) for m in self.mismatches])


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
    """The newest restore check's outcome as an English sentence (for logs; backups checked before
    `verify_failure` existed have only this)."""
    error: str | None
    verify_failure: CheckFailure | None = None
    """Why the newest restore check failed, to be read in the reader's language."""


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
    """The outcome as an English sentence, for logs (`failure` says it in any language)."""
    seconds: float
    tables: int = 0
    rows: int = 0
    failure: CheckFailure | None = None
    """Why the check failed (None when it passed)."""


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
