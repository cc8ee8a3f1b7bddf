"""`/api/v1/admin/audit`: the audit log of admin actions, newest first (superadmin only)."""

from __future__ import annotations

import falcon

from comandia.server.http.auth import require_superadmin
from comandia.server.http.bodies import query_int, query_text
from comandia.server.services.audit import AuditService
from comandia.server.services.pages import MAX_PAGE_SIZE
from comandia.shared.domain.times import parse_date
from comandia.shared.schemas.audit import AuditQuery


class AuditCollection:
    def __init__(self, audit: AuditService) -> None:
        self._audit = audit

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Filters: tenant_id, actor, action (or its family: ``tenant``), from/to (UTC days), limit, cursor."""
        require_superadmin(req)
        first, last = query_text(req, "from", max_len=10), query_text(req, "to", max_len=10)
        query = AuditQuery(
            tenant_id=query_text(req, "tenant_id", max_len=13),
            actor=query_text(req, "actor", max_len=64),
            action=query_text(req, "action", max_len=64),
            first_day=parse_date(first, "from") if first else None,
            last_day=parse_date(last, "to") if last else None,
            limit=query_int(req, "limit", maximum=MAX_PAGE_SIZE),
            cursor=query_text(req, "cursor", max_len=500),
        )
        resp.media = self._audit.list(query).to_json()
