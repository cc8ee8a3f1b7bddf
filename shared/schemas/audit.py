"""The audit log on the wire: who did what to which tenant, and when (read by superadmins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from comandia.shared.schemas.wire import Wire


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit list; every one is optional.

    `action` matches the action itself or the family before its dot (``tenant`` matches
    ``tenant.create``); `first_day`/`last_day` are calendar days in the appliance's time zone
    (`AuditPage.timezone`), both included.
    """

    tenant_id: str | None = None
    actor: str | None = None
    action: str | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    limit: int | None = None
    cursor: str | None = None

    def params(self) -> dict[str, Any]:
        """The query string of GET /api/v1/admin/audit (None values are left out by the client)."""
        return {
            "tenant_id": self.tenant_id,
            "actor": self.actor,
            "action": self.action,
            "from": self.first_day.isoformat() if self.first_day else None,
            "to": self.last_day.isoformat() if self.last_day else None,
            "limit": self.limit,
            "cursor": self.cursor,
        }


class AuditEntryInfo(Wire, frozen=True):
    id: int
    at: dt.datetime
    actor: str
    action: str
    tenant_id: str | None
    detail: dict[str, Any]


class AuditPage(Wire, frozen=True):
    """One page, newest first; pass `next_cursor` back as `AuditQuery.cursor` for the next.
    `timezone` is the appliance's (IANA name): the days of the query are its days, and the page
    shows times in it."""

    items: tuple[AuditEntryInfo, ...]
    next_cursor: str | None
    timezone: str = "UTC"
