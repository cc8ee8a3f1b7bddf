"""The daily backup inside the server: back up, restore-check and prune at a local time of day.

Every scheduled backup is verified (R10): a backup counts only once it has been restored.
Appliances that prefer systemd run `comandia-admin backup run --all --control --verify` from
`installer/systemd/comandia-backup.timer` instead; the two must not both be enabled.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.services.backups.backups import BackupService
from comandia.server.services.backups.crypto import load_key
from comandia.shared.domain.errors import DomainError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupSchedule:
    """When and how the daily backup runs (from ServerConfig's `backup_*` fields).

    Args:
        at: local time of day, "HH:MM" (e.g. "03:00").
        keep_daily / keep_weekly: the retention applied after each run.
        key_file: encrypt with the key in this file (None: unencrypted).
        include_control: also back up the control database.
    """

    at: str = "03:00"
    keep_daily: int = 14
    keep_weekly: int = 8
    key_file: Path | None = None
    include_control: bool = True

    def time_of_day(self) -> dt.time:
        """The parsed `at`; raises ValueError for anything but HH:MM."""
        hours, minutes = self.at.split(":")
        return dt.time(int(hours), int(minutes))


def next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The first instant strictly after `now` whose local wall time is `at` (in `now`'s zone)."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= now:
        candidate += dt.timedelta(days=1)
    return candidate


def local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class BackupJob(BackgroundLoop):
    """Sleeps until the configured time, runs every tenant's backup with a restore check, prunes.

    A failing tenant is logged and the others continue; the job itself never dies of a
    domain error (it tries again the next day). `stop()` wakes it and returns within seconds.
    """

    def __init__(
        self,
        backups: BackupService,
        schedule: BackupSchedule,
        clock: Callable[[], dt.datetime] = local_now,
        claim: Callable[[dt.datetime], bool] = lambda slot: True,
    ) -> None:
        super().__init__("backup-schedule")
        self._backups = backups
        self._schedule = schedule
        self._at = schedule.time_of_day()
        self._clock = clock
        self._claim = claim
        self.runs = 0
        self.skipped = 0

    def run(self) -> None:
        while True:
            now = self._clock()
            # Re-evaluated each loop so a clock jump or DST change only shifts one run.
            slot = next_run(now, self._at)
            if self._stop_event.wait(max((slot - now).total_seconds(), 0.0)):
                return
            # Every server process wakes for the slot; the one that claims it runs the backup.
            if self._safely(partial(self._claim, slot), False):
                self.run_once()
            else:
                log.info("the backup of %s runs in another process", slot.isoformat())
                self.skipped += 1

    def run_once(self) -> None:
        """One scheduled pass: backup + verify everything, then prune."""
        try:
            key = load_key(self._schedule.key_file) if self._schedule.key_file else None
            report = self._backups.run(None, control=self._schedule.include_control, key=key, verify=True)
            for outcome in report.outcomes:
                if not outcome.ok:
                    log.error(
                        "scheduled backup of %s failed: %s",
                        outcome.label,
                        outcome.error or (outcome.verify.detail if outcome.verify else "?"),
                    )
            log.info(
                "scheduled backup %s: %d of %d ok",
                report.run,
                sum(o.ok for o in report.outcomes),
                len(report.outcomes),
            )
            self._backups.prune(self._schedule.keep_daily, self._schedule.keep_weekly)
        except DomainError as error:
            log.error("scheduled backup could not run: %s", error.detail)
        except Exception:  # a bug must not kill the schedule; it is logged with its traceback
            log.exception("scheduled backup crashed")
        self.runs += 1
