"""Which backups a retention policy keeps: the newest per day and per ISO week, per tenant."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from comandia.server.services.backups.info import BackupInfo


def select_prunable(backups: Sequence[BackupInfo], keep_daily: int, keep_weekly: int) -> list[BackupInfo]:
    """The `ok` backups outside the policy, oldest first.

    For each tenant (the control database is a group of its own), walking from the newest:
    the first backup of each of the `keep_daily` most recent days that have one is kept, and
    the first of each of the `keep_weekly` most recent ISO weeks. Days and weeks are UTC.
    Backups whose restore check failed are never kept, so they do not hide a good one.
    Running and failed backups are left alone (failed ones hold no files).
    """
    groups: dict[str | None, list[BackupInfo]] = defaultdict(list)
    for backup in backups:
        if backup.status == "ok":
            groups[backup.tenant_id].append(backup)
    prunable: list[BackupInfo] = []
    for members in groups.values():
        members.sort(key=lambda b: (b.started_at, b.id), reverse=True)
        days: set[object] = set()
        weeks: set[object] = set()
        for backup in members:
            keep = False
            if backup.verify_result != "failed":
                utc = backup.started_at.astimezone(dt.UTC)
                day, week = utc.date(), utc.isocalendar()[:2]
                if day not in days and len(days) < keep_daily:
                    days.add(day)
                    keep = True
                if week not in weeks and len(weeks) < keep_weekly:
                    weeks.add(week)
                    keep = True
            if not keep:
                prunable.append(backup)
    return sorted(prunable, key=lambda b: (b.started_at, b.id))
