"""OpenAPI paths of the KPI dashboards and the exports (issue 5)."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import TENANT_PARAM, Schema, op, path_param, query_param, ref
from comandia.shared.schemas.kpis import AdminReport, KpiReport

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE: Schema = {"type": "string", "format": "binary"}
_RANGE = [
    query_param("from", {"type": "string", "format": "date"}, "first local day, YYYY-MM-DD") | {"required": True},
    query_param("to", {"type": "string", "format": "date"}, "last local day (included)") | {"required": True},
]
_ADMIN_RANGE = [
    query_param(
        "period",
        {"enum": ["today", "7days", "30days", "month"]},
        "the latest days, each ending on the tenant's own today (instead of from and to)",
    ),
    query_param("from", {"type": "string", "format": "date"}, "first day, in each tenant's zone (without period)"),
    query_param("to", {"type": "string", "format": "date"}, "last day, included (without period)"),
]
_SORT = query_param(
    "sort",
    {"type": "string", "maxLength": 20},
    "revenue|orders|customers|last_activity|db_bytes|name; a leading - sorts descending",
)
_FORMAT = path_param("fmt", {"enum": ["xlsx", "csv"]})


def _file(operation: Schema) -> Schema:
    """A download answers XLSX or CSV by the path's `fmt`: document both."""
    operation["responses"]["200"]["content"] = {_XLSX: {"schema": _FILE}, "text/csv": {"schema": _FILE}}
    return operation


def kpi_paths() -> dict[str, Schema]:
    base = "/api/v1/tenants/{tenant_id}"
    return {
        f"{base}/kpis": {
            "parameters": [TENANT_PARAM],
            "get": op(
                "KPI dashboard of a date range, with the previous period of the same length",
                (200, ref(KpiReport)),
                (404, 422),
                params=[*_RANGE, query_param("granularity", {"enum": ["day", "week", "month"]})],
            ),
        },
        f"{base}/exports/{{dataset}}.{{fmt}}": {
            "parameters": [
                TENANT_PARAM,
                path_param("dataset", {"enum": ["orders", "customers", "products", "kpis"]}),
                _FORMAT,
            ],
            "get": _file(op("Export a dataset as XLSX or CSV (streamed)", (200, _FILE), (404, 422), params=_RANGE)),
        },
        "/api/v1/admin/kpis": {
            "get": op(
                "Every tenant over a date range or its latest days (superadmin)",
                (200, ref(AdminReport)),
                (403, 422),
                params=[*_ADMIN_RANGE, _SORT],
            ),
        },
        "/api/v1/admin/exports/tenants.{fmt}": {
            "parameters": [_FORMAT],
            "get": _file(op("The superadmin table as a file", (200, _FILE), (403, 422), params=[*_ADMIN_RANGE, _SORT])),
        },
    }
