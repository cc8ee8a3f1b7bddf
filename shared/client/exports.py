"""Downloads: `/api/v1/tenants/{tenant_id}/exports/{dataset}.{fmt}`, `/api/v1/admin/exports/tenants.{fmt}`."""

from __future__ import annotations

import datetime as dt

from comandia.shared.client.transport import Transport

DATASETS = ("orders", "customers", "products", "kpis")
FORMATS = ("xlsx", "csv")


class ExportsApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def tenant(self, tenant_id: str, dataset: str, fmt: str, first_day: dt.date, last_day: dt.date) -> bytes:
        """The whole file of `dataset` (one of `DATASETS`) as `fmt` (``xlsx`` or ``csv``)."""
        params = {"from": first_day.isoformat(), "to": last_day.isoformat()}
        path = f"/api/v1/tenants/{tenant_id}/exports/{dataset}.{fmt}"
        return self._t.request("GET", path, params=params).content

    def tenants(
        self, fmt: str, first_day: dt.date, last_day: dt.date, sort: str = "-revenue", period: str | None = None
    ) -> bytes:
        """The superadmin's table of all tenants as `fmt` (superadmin only); over `period` (the latest
        days, each ending on the tenant's own today) instead of the dates when given."""
        params = (
            {"period": period, "sort": sort}
            if period
            else {"from": first_day.isoformat(), "to": last_day.isoformat(), "sort": sort}
        )
        return self._t.request("GET", f"/api/v1/admin/exports/tenants.{fmt}", params=params).content
