"""Downloads: `/api/v1/tenants/{tenant_id}/exports/{dataset}.{fmt}` and `/api/v1/admin/exports/tenants.{fmt}`.

The file is streamed (`resp.stream`) as the service produces it; every check (access, dataset,
format, range, tenant) runs before the first byte, so errors still answer as problem+json.

The access log's line for a download is written when the status goes out, before the body. So
each download adds a line of its own when it ends, with the bytes really sent: `complete`, `cut`
(the export failed part-way: a database limit such as the statement timeout, a lost
connection; the client gets a broken transfer, never a file that looks whole) with the reason,
or `stopped by the client`. A download that did not complete is also recorded in the audit log
(`export.cut`: who, which file, the bytes sent, how and why it ended), since the access log
alone shows a 200 for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import falcon

from comandia.server.http.auth import access_tenant, principal_of, require_superadmin
from comandia.server.http.problems import language_of
from comandia.server.http.resources.kpis import admin_report, query_range
from comandia.server.logs import escape_control
from comandia.server.services.audit import AuditService
from comandia.server.services.kpis.exports import ExportService
from comandia.server.services.kpis.spreadsheets import Export
from comandia.shared.domain.errors import DomainError

log = logging.getLogger("comandia.access")


Ended = Callable[[str, int, "str | None"], None]
"""Told how a download ended that did not complete: ("cut" or "stopped by the client", bytes sent, reason)."""


def _send(
    req: falcon.Request, resp: falcon.Response, export: Export, audit: AuditService, tenant_id: str | None = None
) -> None:
    # The first chunk is made before the status goes out: it is what takes a database connection
    # (CSV reads its first rows, XLSX the whole file), so a connection budget spent by other
    # downloads answers 503 with Retry-After, not a 200 whose body then breaks off.
    actor = principal_of(req).username

    def audit_cut(how: str, sent: int, reason: str | None) -> None:
        audit.write(actor, "export.cut", tenant_id, file=export.filename, bytes_sent=sent, how=how, reason=reason)

    stream = Primed(export.chunks, f"{req.method} {req.path} tenant={tenant_id or '-'}", audit_cut)
    resp.content_type = export.content_type
    resp.downloadable_as = export.filename
    resp.stream = stream


class Primed:
    """An iterator of chunks whose first chunk is already made; `close` closes the source, which
    the WSGI server calls at the end or on a client disconnect (the tenant session and the
    temporary file are released there). Logs how the download ended and the bytes it sent.

    Args:
        chunks: the export's bytes.
        request: "METHOD path tenant=…" for the log line (escaped when logged).
        unfinished: called once if the download ends any way but complete (the audit entry).
    """

    def __init__(self, chunks: Iterator[bytes], request: str = "-", unfinished: Ended | None = None) -> None:
        self._chunks = chunks
        self._request = request
        self._unfinished = unfinished
        self._sent = 0
        self._ended = False
        try:
            self._first: bytes | None = next(chunks, b"")
        except BaseException:
            self._ended = True  # answered as a problem: the ordinary access line tells it
            self.close()
            raise

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            chunk, self._first = self._first, None
        else:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._end("complete")
                raise
            except BaseException as error:
                self._end("cut", error)
                raise  # the server breaks the transfer off: the client never sees a whole-looking file
        self._sent += len(chunk)
        return chunk

    def close(self) -> None:
        self._end("stopped by the client")
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def _end(self, how: str, error: BaseException | None = None) -> None:
        if self._ended:
            return
        self._ended = True
        reason = None
        if error is None:
            level = logging.INFO if how == "complete" else logging.WARNING
            log.log(level, "%s download %s: %d bytes sent", escape_control(self._request), how, self._sent)
        else:
            reason = _reason(error)
            log.warning(
                "%s download cut after %d bytes: %s", escape_control(self._request), self._sent, escape_control(reason)
            )
        if how != "complete" and self._unfinished is not None:
            try:
                self._unfinished(how, self._sent, reason)
            except Exception:  # the WSGI server is closing the response: never raise into it
                log.exception("%s download: the audit entry could not be written", escape_control(self._request))


def _reason(error: BaseException) -> str:
    """The limit or failure that stopped a download, in one line (the cause's first line too)."""
    reason = error.detail if isinstance(error, DomainError) else type(error).__name__
    cause = error.__cause__
    if cause is not None:
        lines = str(getattr(cause, "orig", None) or cause).strip().splitlines()
        reason += f" ({lines[0] if lines else type(cause).__name__})"
    return reason


class TenantExport:
    """GET ?from=&to=: dataset orders|customers|products|kpis as xlsx|csv."""

    def __init__(self, exports: ExportService, audit: AuditService) -> None:
        self._exports = exports
        self._audit = audit

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, dataset: str, fmt: str) -> None:
        access_tenant(req, tenant_id)
        from_day, to_day = query_range(req)
        _send(
            req,
            resp,
            self._exports.tenant_export(tenant_id, dataset, fmt, from_day, to_day, language_of(req)),
            self._audit,
            tenant_id,
        )


class TenantsExport:
    """GET ?period= or ?from=&to=, and ?sort=: the superadmin table as xlsx|csv; superadmin only."""

    def __init__(self, exports: ExportService, audit: AuditService) -> None:
        self._exports = exports
        self._audit = audit

    def on_get(self, req: falcon.Request, resp: falcon.Response, fmt: str) -> None:
        require_superadmin(req)
        report = admin_report(self._exports.admin, req)
        _send(req, resp, self._exports.tenants_export(fmt, report, language_of(req)), self._audit)
