"""The audit log on the wire: who did what to which tenant, and when (read by superadmins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit list; every one is optional.

    `action` matches the action itself or the family before its dot (``tenant`` matches
    ``tenant.create``); `first_day`/`last_day` are UTC calendar days, both included.
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


@dataclass(frozen=True)
class AuditEntryInfo:
    id: int
    at: dt.datetime
    actor: str
    action: str
    tenant_id: str | None
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "tenant_id": self.tenant_id,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditEntryInfo:
        return cls(
            id=int(data["id"]),
            at=dt.datetime.fromisoformat(str(data["at"])),
            actor=data["actor"],
            action=data["action"],
            tenant_id=data.get("tenant_id"),
            detail=dict(data.get("detail") or {}),
        )


@dataclass(frozen=True)
class AuditPage:
    """One page, newest first; pass `next_cursor` back as `AuditQuery.cursor` for the next."""

    items: tuple[AuditEntryInfo, ...]
    next_cursor: str | None

    def to_json(self) -> dict[str, Any]:
        return {"items": [item.to_json() for item in self.items], "next_cursor": self.next_cursor}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditPage:
        return cls(
            items=tuple(AuditEntryInfo.from_json(item) for item in data["items"]),
            next_cursor=data.get("next_cursor"),
        )
