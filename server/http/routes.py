"""The whole route table on one screen.

`tests/server/http/test_isolation_matrix.py` checks that this table, the OpenAPI document and the
isolation matrix name the same routes (RELIABILITY S2), so a new route cannot escape the tests.
"""

from __future__ import annotations

import falcon

from comandia.server.http.openapi import OpenApiDocument
from comandia.server.http.resources import (
    audit,
    auth,
    backups,
    catalog,
    conversations,
    customers,
    exports,
    imports,
    kpis,
    numbers,
    orders,
    sandbox,
    tenant_settings,
    tenants,
    users,
)
from comandia.server.http.resources.health import Health, Ready
from comandia.server.http.webhooks import add_webhook_routes
from comandia.server.services.bundle import Services

API = "/api/v1"


def add_routes(app: falcon.App[falcon.Request, falcon.Response], services: Services) -> None:
    app.add_route("/healthz", Health())
    app.add_route("/readyz", Ready(services.ready))
    app.add_route(f"{API}/openapi.json", OpenApiDocument())
    add_webhook_routes(app, services.ingest, services.webhook_max_body_bytes, services.public_url)

    app.add_route(f"{API}/auth/login", auth.Login(services.auth))
    app.add_route(f"{API}/auth/logout", auth.Logout(services.auth))
    app.add_route(f"{API}/auth/me", auth.Me(services.users))
    app.add_route(f"{API}/auth/password", auth.Password(services.users))

    app.add_route(f"{API}/tenants", tenants.TenantCollection(services.tenants))
    app.add_route(f"{API}/tenants/{{tenant_id}}", tenants.TenantItem(services.tenants))
    app.add_route(f"{API}/tenants/{{tenant_id}}/deactivate", tenants.TenantDeactivation(services.tenants))
    app.add_route(f"{API}/tenants/{{tenant_id}}/reactivate", tenants.TenantReactivation(services.tenants))
    app.add_route(
        f"{API}/tenants/{{tenant_id}}/settings", tenant_settings.TenantSettingsResource(services.tenant_settings)
    )
    app.add_route(f"{API}/tenants/{{tenant_id}}/order-alerts", tenant_settings.OrderAlertsResource(services.alerts))

    app.add_route(f"{API}/users", users.UserCollection(services.users))
    app.add_route(f"{API}/users/{{user_id}}", users.UserItem(services.users))

    scoped = f"{API}/tenants/{{tenant_id}}"
    app.add_route(f"{scoped}/categories", catalog.CategoryCollection(services.catalog))
    app.add_route(f"{scoped}/categories/{{category_id}}", catalog.CategoryItem(services.catalog))
    app.add_route(f"{scoped}/products", catalog.ProductCollection(services.catalog))
    app.add_route(f"{scoped}/products/{{product_id}}", catalog.ProductItem(services.catalog))
    app.add_route(f"{scoped}/products/{{product_id}}/availability", catalog.ProductAvailabilityItem(services.catalog))
    app.add_route(f"{scoped}/catalog/import", imports.CatalogImport(services.catalog_import))
    app.add_route(f"{scoped}/catalog/import/template", imports.CatalogTemplate(services.tenants))
    app.add_route(f"{scoped}/customers", customers.CustomerCollection(services.customers))
    app.add_route(f"{scoped}/customers/{{customer_id}}", customers.CustomerItem(services.customers))
    app.add_route(f"{scoped}/orders", orders.OrderCollection(services.orders, services.tenants))
    app.add_route(f"{scoped}/orders/{{order_id}}", orders.OrderItem(services.orders))
    app.add_route(f"{scoped}/orders/{{order_id}}/status", orders.OrderStatus(services.orders))
    app.add_route(f"{scoped}/numbers", numbers.NumberCollection(services.numbers))
    app.add_route(f"{scoped}/numbers/{{number_id}}", numbers.NumberItem(services.numbers))
    app.add_route(f"{scoped}/numbers/{{number_id}}/pause", numbers.NumberPause(services.numbers))
    app.add_route(f"{scoped}/numbers/{{number_id}}/resume", numbers.NumberResume(services.numbers))
    app.add_route(f"{scoped}/numbers/{{number_id}}/test", numbers.NumberTest(services.numbers))
    app.add_route(f"{scoped}/kpis", kpis.TenantKpis(services.kpis))
    app.add_route(f"{scoped}/exports/{{dataset}}.{{fmt}}", exports.TenantExport(services.exports, services.audit))
    app.add_route(f"{scoped}/sandbox/messages", sandbox.SandboxMessages(services.sandbox_chat))
    app.add_route(f"{scoped}/conversations", conversations.ConversationCollection(services.chats))
    app.add_route(f"{scoped}/conversations/{{conversation}}", conversations.ConversationItem(services.chats))
    app.add_route(
        f"{scoped}/conversations/{{conversation}}/messages", conversations.ConversationMessages(services.chats)
    )
    app.add_route(f"{scoped}/conversations/{{conversation}}/read", conversations.ConversationRead(services.chats))
    app.add_route(
        f"{scoped}/conversations/{{conversation}}/media/{{media_id}}", conversations.ConversationMedia(services.media)
    )
    app.add_route(
        f"{scoped}/conversations/{{conversation}}/takeover", conversations.ConversationTakeover(services.chats)
    )
    app.add_route(f"{scoped}/conversations/{{conversation}}/release", conversations.ConversationRelease(services.chats))
    app.add_route(f"{scoped}/changes", conversations.Changes(services.changes))

    app.add_route(f"{API}/admin/unroutable", numbers.UnroutableCollection(services.numbers))
    app.add_route(f"{API}/admin/kpis", kpis.AdminKpis(services.kpis.admin))
    app.add_route(f"{API}/admin/audit", audit.AuditCollection(services.audit))
    app.add_route(f"{API}/admin/backups", backups.BackupCollection(services.backups, services.backup_key))
    app.add_route(f"{API}/admin/backups/tenants", backups.BackupStates(services.backups))
    app.add_route(
        f"{API}/admin/backups/{{backup_id}}/verify", backups.BackupVerify(services.backups, services.backup_key)
    )
    app.add_route(
        f"{API}/admin/backups/{{backup_id}}/restore",
        backups.BackupRestore(services.backups, services.restores, services.backup_key),
    )
    app.add_route(f"{API}/admin/exports/tenants.{{fmt}}", exports.TenantsExport(services.exports, services.audit))
