"""`/api/v1/tenants`: superadmins create, list, deactivate and reactivate; members see their own."""

from __future__ import annotations

import falcon

from comandia.server.http.auth import access_tenant, require_superadmin
from comandia.server.http.bodies import Body, query_flag
from comandia.server.services.tenancy.tenants import NewTenant, TenantService

_FIELDS = ("name", "timezone", "currency", "locale", "server")


class TenantCollection:
    def __init__(self, tenants: TenantService) -> None:
        self._tenants = tenants

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_superadmin(req)
        include_deleted = query_flag(req, "include_deleted")
        resp.media = {"items": [t.to_json() for t in self._tenants.list(include_deleted=include_deleted)]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = require_superadmin(req)
        body = Body.read(req, _FIELDS)
        request = NewTenant(
            name=body.text("name", max_len=120),
            timezone=body.optional_text("timezone", max_len=64) or NewTenant.timezone,
            currency=body.optional_text("currency", max_len=3) or NewTenant.currency,
            locale=body.optional_text("locale", max_len=8) or NewTenant.locale,
            server=body.optional_text("server", max_len=63),
        )
        tenant = self._tenants.create(request, actor=principal.username)
        resp.status = falcon.HTTP_201
        resp.location = f"/api/v1/tenants/{tenant.id}"
        resp.media = tenant.to_json()


class TenantItem:
    """GET: a superadmin sees any tenant; a manager or viewer only their own."""

    def __init__(self, tenants: TenantService) -> None:
        self._tenants = tenants

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = self._tenants.get(tenant_id).to_json()


class TenantDeactivation:
    """POST /deactivate: keep the data, refuse the tenant's logins; superadmin only."""

    def __init__(self, tenants: TenantService) -> None:
        self._tenants = tenants

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)  # another tenant's manager gets 404 before 403
        principal = require_superadmin(req)
        resp.media = self._tenants.deactivate(tenant_id, actor=principal.username).to_json()


class TenantReactivation:
    """POST /reactivate; superadmin only."""

    def __init__(self, tenants: TenantService) -> None:
        self._tenants = tenants

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        principal = require_superadmin(req)
        resp.media = self._tenants.reactivate(tenant_id, actor=principal.username).to_json()
