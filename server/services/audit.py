"""The audit log of admin actions (control database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from comandia.server.db.control_models import AuditEntry


def record(session: Session, actor: str, action: str, tenant_id: str | None = None, **detail: Any) -> None:
    """Add an entry to the caller's transaction, so it commits (or not) with the action itself."""
    session.add(AuditEntry(actor=actor, action=action, tenant_id=tenant_id, detail=detail))
