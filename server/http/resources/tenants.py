"""`/api/v1/tenants`: superadmins create, list, deactivate and reactivate; members see their own."""

from __future__ import annotations

import falcon

from comandia.server.http.answers import created
from comandia.server.http.auth import access_tenant, require_superadmin
from comandia.server.http.bodies import query_flag, read_body
from comandia.server.services.tenancy.tenants import NewTenant, TenantService
from comandia.shared.schemas.tenants import NewTenantRequest, TenantList


class TenantCollection:
    def __init__(self, tenants: TenantService) -> None:
        self._tenants = tenants

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_superadmin(req)
        include_deleted = query_flag(req, "include_deleted")
        resp.media = TenantList(tuple(self._tenants.list(include_deleted=include_deleted))).to_json()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = require_superadmin(req)
        body = read_body(req, NewTenantRequest)
        request = NewTenant(
            name=body.name,
            timezone=body.timezone,
            currency=body.currency,
            locale=body.locale,
            server=body.server,
            country_locale=body.country_locale,
        )
        tenant = self._tenants.create(request, actor=principal.username)
        created(resp, f"/api/v1/tenants/{tenant.id}", tenant)


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
