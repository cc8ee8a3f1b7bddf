"""`/api/v1/admin/audit`: the audit log (superadmin)."""

from __future__ import annotations

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.audit import AuditPage, AuditQuery


class AuditApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, query: AuditQuery | None = None) -> AuditPage:
        """One page of entries, newest first; pass `next_cursor` in the query for the next page."""
        return AuditPage.from_json(self._t.get_json("/api/v1/admin/audit", (query or AuditQuery()).params()))
