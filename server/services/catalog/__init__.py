"""A tenant's menu: categories and products, and their import from a spreadsheet.

Entry points: `catalog.CatalogService` (categories and products) and `imports.CatalogImportService`
(a dry run that reports every row, an apply that is all-or-nothing).
May import: `server.db`, `services.tenancy` (the tenant's currency), `shared`.
"""
