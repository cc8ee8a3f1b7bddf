"""`/api/v1/tenants/{tenant_id}/kpis` (a tenant's dashboard) and `/api/v1/admin/kpis` (all tenants)."""

from __future__ import annotations

import datetime as dt

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.kpis import AdminReport, KpiReport


class KpisApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def tenant(self, tenant_id: str, first_day: dt.date, last_day: dt.date, granularity: str = "day") -> KpiReport:
        """Every KPI of the tenant's local days `first_day`..`last_day` and of the period before."""
        params = {"from": first_day.isoformat(), "to": last_day.isoformat(), "granularity": granularity}
        return KpiReport.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/kpis", params))

    def admin(self, first_day: dt.date, last_day: dt.date, sort: str = "-revenue") -> AdminReport:
        """Totals and one row per tenant (superadmin only).

        Raises:
            ForbiddenError: the caller is not a superadmin.
        """
        params = {"from": first_day.isoformat(), "to": last_day.isoformat(), "sort": sort}
        return AdminReport.from_json(self._t.get_json("/api/v1/admin/kpis", params))

    def admin_latest(self, period: str, sort: str = "-revenue") -> AdminReport:
        """Like `admin` over the latest days (`shared.domain.times.PERIODS`), each ending on the
        tenant's own today."""
        return AdminReport.from_json(self._t.get_json("/api/v1/admin/kpis", {"period": period, "sort": sort}))
