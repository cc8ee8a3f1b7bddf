"""The audit log of admin actions (control database): written with each action, read by superadmins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.control_models import AuditEntry
from comandia.server.db.sessions import Databases
from comandia.server.services.pages import clamp_limit, decode_cursor, encode_cursor
from comandia.shared.domain.times import local_range_to_utc
from comandia.shared.schemas.audit import AuditEntryInfo, AuditPage, AuditQuery

_SORT = "-id"
_FIRST, _LAST = dt.date(1900, 1, 1), dt.date(2999, 12, 30)


def record(session: Session, actor: str, action: str, tenant_id: str | None = None, **detail: Any) -> None:
    """Add an entry to the caller's transaction, so it commits (or not) with the action itself."""
    session.add(AuditEntry(actor=actor, action=action, tenant_id=tenant_id, detail=detail))


class AuditService:
    """Reads the audit log, newest first, in keyset pages (the log only grows: ids never repeat)."""

    def __init__(self, databases: Databases, timezone: str = "UTC") -> None:
        self._db = databases
        self._timezone = timezone  # the appliance's (ServerConfig.timezone): the log spans every tenant

    def write(self, actor: str, action: str, tenant_id: str | None = None, **detail: Any) -> None:
        """Record an entry in a transaction of its own: for events that happen outside any action's
        transaction (a download that breaks off after its 200 went out)."""
        with self._db.control_session() as session:
            record(session, actor, action, tenant_id, **detail)
            session.commit()

    def list(self, query: AuditQuery) -> AuditPage:
        """One page of entries matching `query`; its days are the appliance's (`timezone`).

        Raises:
            ValidationFailed: a malformed cursor, or a date range that ends before it starts.
        """
        limit = clamp_limit(query.limit)
        statement = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
        if query.tenant_id:
            statement = statement.where(AuditEntry.tenant_id == query.tenant_id)
        if query.actor:
            statement = statement.where(AuditEntry.actor == query.actor)
        if query.action:
            # "tenant" finds the whole family (tenant.create, tenant.deactivate, ...)
            statement = statement.where(
                sa.or_(
                    AuditEntry.action == query.action, AuditEntry.action.startswith(query.action + ".", autoescape=True)
                )
            )
        if query.first_day or query.last_day:
            # local_range_to_utc refuses a range that ends before it starts (field "to")
            since, until = local_range_to_utc(query.first_day or _FIRST, query.last_day or _LAST, self._timezone)
            statement = statement.where(AuditEntry.at >= since, AuditEntry.at < until)
        if query.cursor:
            _, last_id = decode_cursor(query.cursor, _SORT)
            statement = statement.where(AuditEntry.id < last_id)
        with self._db.control_session() as session:
            rows = list(session.scalars(statement))
        more = len(rows) > limit
        rows = rows[:limit]
        items = tuple(
            AuditEntryInfo(
                id=r.id, at=r.at, actor=r.actor, action=r.action, tenant_id=r.tenant_id, detail=dict(r.detail or {})
            )
            for r in rows
        )
        cursor = encode_cursor(_SORT, rows[-1].id, rows[-1].id) if more else None
        return AuditPage(items=items, next_cursor=cursor, timezone=self._timezone)
