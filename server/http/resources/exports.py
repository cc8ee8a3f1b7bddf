"""Downloads: `/api/v1/tenants/{tenant_id}/exports/{dataset}.{fmt}` and `/api/v1/admin/exports/tenants.{fmt}`.

The file is streamed (`resp.stream`) as the service produces it; every check (access, dataset,
format, range, tenant) runs before the first byte, so errors still answer as problem+json.
"""

from __future__ import annotations

from collections.abc import Iterator

import falcon

from comandia.server.http.auth import access_tenant, require_superadmin
from comandia.server.http.bodies import query_text
from comandia.server.http.problems import language_of
from comandia.server.http.resources.kpis import query_range
from comandia.server.services.kpis.exports import ExportService
from comandia.server.services.kpis.spreadsheets import Export


def _send(resp: falcon.Response, export: Export) -> None:
    # The first chunk is made before the status goes out: it is what takes a database connection
    # (CSV reads its first rows, XLSX the whole file), so a connection budget spent by other
    # downloads answers 503 with Retry-After, not a 200 whose body then breaks off.
    stream = Primed(export.chunks)
    resp.content_type = export.content_type
    resp.downloadable_as = export.filename
    resp.stream = stream


class Primed:
    """An iterator of chunks whose first chunk is already made; `close` closes the source, which
    the WSGI server calls at the end or on a client disconnect (the tenant session and the
    temporary file are released there)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        try:
            self._first: bytes | None = next(chunks, b"")
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return next(self._chunks)

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


class TenantExport:
    """GET ?from=&to=: dataset orders|customers|products|kpis as xlsx|csv."""

    def __init__(self, exports: ExportService) -> None:
        self._exports = exports

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, tenant_id: str, dataset: str, fmt: str
    ) -> None:
        access_tenant(req, tenant_id)
        from_day, to_day = query_range(req)
        _send(resp, self._exports.tenant_export(tenant_id, dataset, fmt, from_day, to_day, language_of(req)))


class TenantsExport:
    """GET ?from=&to=&sort=: the superadmin table as xlsx|csv; superadmin only."""

    def __init__(self, exports: ExportService) -> None:
        self._exports = exports

    def on_get(self, req: falcon.Request, resp: falcon.Response, fmt: str) -> None:
        require_superadmin(req)
        from_day, to_day = query_range(req)
        sort = query_text(req, "sort", max_len=20) or "-revenue"
        _send(resp, self._exports.tenants_export(fmt, from_day, to_day, sort, language_of(req)))
