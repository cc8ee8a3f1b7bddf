"""`/api/v1/tenants/{tenant_id}/catalog/import`: upload a CSV or XLSX catalog, dry run or apply.

The file is the raw request body, its kind named by Content-Type (`text/csv` or the XLSX type).
`?dry_run=true` answers the per-row report and changes nothing; without it the whole file is
applied in one transaction, or nothing is (422 naming the rows' problems). The problems read in
the caller's `Accept-Language`, like every problem detail.
"""

from __future__ import annotations

import falcon

from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import query_flag
from comandia.server.http.problems import language_of
from comandia.server.services.catalog.imports import MAX_BYTES, CatalogImportService, template_csv, template_xlsx
from comandia.server.services.catalog.uploads import file_problem
from comandia.server.services.tenancy.tenants import TenantService
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NAMES = {"text/csv": "upload.csv", XLSX: "upload.xlsx"}


class CatalogImport:
    def __init__(self, imports: CatalogImportService) -> None:
        self._imports = imports

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        dry_run = query_flag(req, "dry_run")
        access_tenant(req, tenant_id, write=True)  # even a dry run is the first step of a write
        kind = (req.content_type or "").split(";")[0].strip().lower()
        if kind not in _NAMES:
            raise falcon.HTTPUnsupportedMediaType(
                description=N_(
                    "send the file as text/csv or as XLSX "
                    "(application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)"
                )
            )
        content = req.bounded_stream.read(MAX_BYTES + 1)  # read_rows refuses more, whatever the headers said
        if not content:
            raise file_problem("is empty")
        run = self._imports.dry_run if dry_run else self._imports.apply
        resp.media = run(tenant_id, content, _NAMES[kind], language_of(req)).to_json()


class CatalogTemplate:
    """GET: the template (header and two example rows), CSV or, with ?format=xlsx, XLSX."""

    def __init__(self, tenants: TenantService) -> None:
        self._tenants = tenants

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        self._tenants.get(tenant_id)  # the file is the same for all, but only live tenants have one
        kind = req.get_param("format") or "csv"
        if kind not in ("csv", "xlsx"):
            raise ValidationFailed("format must be csv or xlsx", {"format": N_("must be csv or xlsx")})
        if kind == "xlsx":
            resp.content_type = XLSX
            resp.downloadable_as = "catalog-template.xlsx"
            resp.data = template_xlsx()
        else:
            resp.content_type = "text/csv; charset=utf-8"
            resp.downloadable_as = "catalog-template.csv"
            resp.data = template_csv()
