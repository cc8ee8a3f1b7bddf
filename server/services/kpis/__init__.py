"""KPIs: rollups kept with each order change, the dashboards read from them, and data exports.

Entry points: `reports.KpiService` (a tenant's dashboard and, through `admin_reports`, the
superadmin's; `on_change_hook()` keeps the rollups in the order's own transaction) and
`exports.ExportService` (XLSX or CSV streamed from the rollups and the tenant's tables).
May import: `server.db`, `services.tenancy` (the tenant's currency and time zone), `shared`.
"""
