"""`/api/v1/tenants/{tenant_id}/kpis` (a tenant's dashboard) and `/api/v1/admin/kpis` (all tenants)."""

from __future__ import annotations

import datetime as dt

import falcon

from comandia.server.http.auth import access_tenant, require_superadmin
from comandia.server.http.bodies import query_text
from comandia.server.services.kpis.admin_reports import AdminKpiService
from comandia.server.services.kpis.reports import KpiService
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.times import parse_date
from comandia.shared.i18n import N_
from comandia.shared.schemas.kpis import AdminReport


def query_range(req: falcon.Request) -> tuple[dt.date, dt.date]:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both required and both included.

    Raises:
        ValidationFailed: a missing or malformed date (fields ``from``, ``to``).
    """
    days = []
    for name in ("from", "to"):
        value = query_text(req, name, max_len=10)
        if value is None:
            raise ValidationFailed("{field} is required", {name: N_("is required (YYYY-MM-DD)")}, field=name)
        days.append(parse_date(value, name))
    return days[0], days[1]


class TenantKpis:
    """GET ?from=&to=&granularity=day|week|month: every KPI and the previous period's."""

    def __init__(self, kpis: KpiService) -> None:
        self._kpis = kpis

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        from_day, to_day = query_range(req)
        granularity = query_text(req, "granularity", max_len=10) or "day"
        resp.media = self._kpis.tenant_report(tenant_id, from_day, to_day, granularity).to_json()


def admin_report(admin: AdminKpiService, req: falcon.Request) -> AdminReport:
    """The superadmin report of ?period= (the latest days, each ending on the tenant's own today)
    or of ?from=&to= (those days in every tenant's zone), sorted by ?sort=."""
    sort = query_text(req, "sort", max_len=20) or "-revenue"
    period = query_text(req, "period", max_len=10)
    if period is not None:
        return admin.report_latest(period, sort)
    from_day, to_day = query_range(req)
    return admin.report(from_day, to_day, sort)


class AdminKpis:
    """GET ?period= or ?from=&to=, and ?sort=: totals and one row per tenant; superadmin only."""

    def __init__(self, admin: AdminKpiService) -> None:
        self._admin = admin

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_superadmin(req)
        resp.media = admin_report(self._admin, req).to_json()
