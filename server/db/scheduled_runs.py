"""Claiming a scheduled job's slot, so that it runs once however many server processes wake for it."""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlalchemy.dialects.postgresql import insert

from comandia.server.db.control_models import ScheduledRun
from comandia.server.db.sessions import Databases


def claim_slot(databases: Databases, job: str, slot: dt.datetime) -> bool:
    """True for exactly one caller per (job, slot), across processes and hosts.

    A process that dies after claiming leaves the slot done: the job runs again at its next slot
    (the daily backup's run report and its log say what it finished).
    """
    with databases.control_session() as session:
        claimed = session.execute(
            insert(ScheduledRun)
            .values(job=job, slot=slot.astimezone(dt.UTC), claimed_by=f"{socket.gethostname()}:{os.getpid()}")
            .on_conflict_do_nothing()
            .returning(ScheduledRun.job)
        ).first()
        session.commit()
    return claimed is not None
