"""Downloads: `/api/v1/tenants/{tenant_id}/exports/{dataset}.{fmt}` and `/api/v1/admin/exports/tenants.{fmt}`.

The file is streamed (`resp.stream`) as the service produces it; every check (access, dataset,
format, range, tenant) runs before the first byte, so errors still answer as problem+json.
"""

from __future__ import annotations

import falcon

from comandia.server.http.auth import access_tenant, require_superadmin
from comandia.server.http.bodies import query_text
from comandia.server.http.resources.kpis import query_range
from comandia.server.services.kpis.exports import ExportService
from comandia.server.services.kpis.spreadsheets import Export


def _send(resp: falcon.Response, export: Export) -> None:
    resp.content_type = export.content_type
    resp.downloadable_as = export.filename
    # Falcon streams any iterable of bytes; the WSGI server calls the generator's close() at the
    # end (or on a client disconnect), which closes its tenant session and temporary file.
    resp.stream = export.chunks


class TenantExport:
    """GET ?from=&to=: dataset orders|customers|products|kpis as xlsx|csv."""

    def __init__(self, exports: ExportService) -> None:
        self._exports = exports

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, tenant_id: str, dataset: str, fmt: str
    ) -> None:
        access_tenant(req, tenant_id)
        from_day, to_day = query_range(req)
        _send(resp, self._exports.tenant_export(tenant_id, dataset, fmt, from_day, to_day))


class TenantsExport:
    """GET ?from=&to=&sort=: the superadmin table as xlsx|csv; superadmin only."""

    def __init__(self, exports: ExportService) -> None:
        self._exports = exports

    def on_get(self, req: falcon.Request, resp: falcon.Response, fmt: str) -> None:
        require_superadmin(req)
        from_day, to_day = query_range(req)
        sort = query_text(req, "sort", max_len=20) or "-revenue"
        _send(resp, self._exports.tenants_export(fmt, from_day, to_day, sort))
