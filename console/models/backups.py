"""The backups page's tables: each tenant's backup health (RELIABILITY R10) and one tenant's backups.

Qt-free apart from the `Column` description: the health rule is a plain function so it can be
tested, and shown the same way in the table, its tooltip and the docs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.console.models.table import Column
from comandia.shared.schemas.backups import BackupRecord, TenantBackupState

STALE_AFTER = dt.timedelta(days=2)
"""A verified restore older than this needs attention: the nightly schedule should renew it daily."""

WARNING_MARK = "⚠ "
_UNITS = ("B", "kB", "MB", "GB", "TB")

Clock = Callable[[], dt.datetime]


def restore_warning(state: TenantBackupState, now: dt.datetime) -> str | None:
    """Why the tenant's backups cannot be trusted right now, or None when they can.

    Returns:
        ``"failed"`` (the newest restore check failed), ``"never"`` (no backup was ever restored),
        ``"stale"`` (the last verified restore is older than `STALE_AFTER`), or None.
    """
    if state.last_check_failed:
        return "failed"
    if state.last_verified_at is None:
        return "never"
    if now - state.last_verified_at > STALE_AFTER:
        return "stale"
    return None


def human_size(size: int | None, fmt: TenantFormat) -> str:
    """Bytes as people read them (decimal units, as the dashboard's database size): ``12,3 MB``."""
    if size is None:
        return ""
    value, unit = float(size), 0
    while value >= 1000 and unit < len(_UNITS) - 1:
        value, unit = value / 1000, unit + 1
    return f"{fmt.number(value, 0 if unit == 0 else 1)} {_UNITS[unit]}"


def _when(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""  # ISO in UTC sorts as time does; never sorts first


def state_columns(tr: Translator, fmt: TenantFormat, clock: Clock) -> list[Column[TenantBackupState]]:
    """Tenant, last backup, its status, last verified restore, and what needs attention."""

    def warning(state: TenantBackupState) -> str | None:
        return restore_warning(state, clock())

    def verified(state: TenantBackupState) -> str:
        text = fmt.instant(state.last_verified_at) if state.last_verified_at else tr("backups.never")
        return WARNING_MARK + text if warning(state) else text

    def attention(state: TenantBackupState) -> str:
        reason = warning(state)
        return tr(f"backups.warn_{reason}") if reason else ""

    return [
        Column(tr("backups.tenant"), lambda s: s.tenant_name, lambda s: s.tenant_name.casefold()),
        Column(
            tr("backups.last_backup"),
            lambda s: fmt.instant(s.last_backup_at) or tr("backups.never"),
            lambda s: _when(s.last_backup_at),
        ),
        Column(
            tr("backups.status"),
            lambda s: status_text(tr, s.last_backup_status),
            warn=lambda s: s.last_backup_status == "failed",
        ),
        Column(
            tr("backups.last_verified"),
            verified,
            lambda s: _when(s.last_verified_at),
            warn=lambda s: warning(s) is not None,
        ),
        Column(
            tr("backups.attention"),
            attention,
            lambda s: (warning(s) is None, attention(s)),
            warn=lambda s: warning(s) is not None,
        ),
    ]


def status_text(tr: Translator, status: str | None) -> str:
    return tr(f"backups.state_{status}") if status in ("running", "ok", "failed", "pruned") else (status or "")


def check_text(tr: Translator, backup: BackupRecord) -> str:
    """The restore check's outcome: not checked, ok, or failed with the server's detail."""
    if backup.verify_result is None:
        return tr("backups.unchecked")
    result = tr("backups.check_ok") if backup.verify_result == "ok" else WARNING_MARK + tr("backups.check_failed")
    if backup.verify_result == "ok":
        return result  # its detail ("N tables, M rows match") is the English log line; the result says it
    # a check made before failures were recorded as data has only its English sentence: shown as recorded
    detail = backup.verify_failure.sentence(tr.language) if backup.verify_failure else backup.verify_detail
    return f"{result} — {detail}" if detail else result


def backup_columns(tr: Translator, fmt: TenantFormat) -> list[Column[BackupRecord]]:
    """One tenant's backups: started, size, encrypted, status, and the restore check (with detail)."""
    return [
        Column(tr("backups.started"), lambda b: fmt.instant(b.started_at), lambda b: _when(b.started_at)),
        Column(tr("backups.size"), lambda b: human_size(b.size_bytes, fmt), lambda b: b.size_bytes or 0, right=True),
        Column(tr("backups.encrypted"), lambda b: tr("common.yes") if b.encrypted else tr("common.no")),
        Column(tr("backups.status"), lambda b: status_text(tr, b.status), warn=lambda b: b.status == "failed"),
        Column(tr("backups.checked_at"), lambda b: fmt.instant(b.verified_at), lambda b: _when(b.verified_at)),
        Column(
            tr("backups.check"),
            lambda b: check_text(tr, b) + (f" — {b.error}" if b.error else ""),
            warn=lambda b: b.verify_result == "failed" or b.status == "failed",
        ),
    ]
