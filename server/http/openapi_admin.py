"""OpenAPI paths of the appliance-wide API: health, auth, tenants, users."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import ID, TENANT_PARAM, Schema, obj, op, path_param, query_param, ref
from comandia.shared.schemas.audit import AuditPage
from comandia.shared.schemas.auth import LoginRequest, LoginResult, PasswordChange
from comandia.shared.schemas.rules import OrderAlertList
from comandia.shared.schemas.tenants import (
    NewTenantRequest,
    TenantInfo,
    TenantList,
    TenantSettings,
    TenantSettingsChange,
)
from comandia.shared.schemas.users import NewUserRequest, UserChange, UserInfo, UserList

_STATUS = obj({"status": {"type": "string"}})
_STATUS_DETAIL = obj({"status": {"type": "string"}, "detail": {"type": "string"}}, required=("status",))
_USER_PARAM = path_param("user_id", ID)
_AUDIT_PARAMS = [
    query_param("tenant_id", {"type": "string", "maxLength": 13}),
    query_param("actor", {"type": "string", "maxLength": 64}),
    query_param("action", {"type": "string", "maxLength": 64}, "an action, or its family (`tenant`)"),
    query_param("from", {"type": "string", "format": "date"}, "first UTC day, YYYY-MM-DD"),
    query_param("to", {"type": "string", "format": "date"}, "last UTC day (included)"),
    query_param("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
    query_param("cursor", {"type": "string", "maxLength": 500}),
]


def admin_paths() -> dict[str, Schema]:
    api = "/api/v1"
    return {
        "/healthz": {"get": op("The process is up", (200, _STATUS), public=True)},
        "/readyz": {
            "get": op("The control database answers", (200, _STATUS), public=True)
            | {
                "responses": {
                    "200": {"description": "ready", "content": {"application/json": {"schema": _STATUS}}},
                    "503": {
                        "description": "not ready",
                        "content": {"application/json": {"schema": _STATUS_DETAIL}},
                    },
                }
            }
        },
        f"{api}/openapi.json": {"get": op("This document", (200, {"type": "object"}), public=True)},
        f"{api}/auth/login": {
            "post": op(
                "Log in: a new bearer token",
                (200, ref(LoginResult)),
                errors=(401, 429),
                public=True,
                body=ref(LoginRequest),
            )
        },
        f"{api}/auth/logout": {"post": op("Revoke this request's token", (204, None))},
        f"{api}/auth/me": {"get": op("The user this token belongs to", (200, ref(UserInfo)))},
        f"{api}/auth/password": {
            "post": op(
                "Change my password; every token of mine stops working",
                (204, None),
                errors=(429,),
                body=ref(PasswordChange),
            )
        },
        f"{api}/tenants": {
            "get": op(
                "List tenants (superadmin)",
                (200, ref(TenantList)),
                errors=(403, 422),
                params=[query_param("include_deleted", {"type": "boolean"})],
            ),
            "post": op(
                "Create a tenant and its database (superadmin)",
                (201, ref(TenantInfo)),
                errors=(403, 404, 409),
                body=ref(NewTenantRequest),
            ),
        },
        f"{api}/tenants/{{tenant_id}}": {
            "parameters": [TENANT_PARAM],
            "get": op("Show a tenant (superadmin, or its own members)", (200, ref(TenantInfo)), errors=(404,)),
        },
        f"{api}/tenants/{{tenant_id}}/deactivate": {
            "parameters": [TENANT_PARAM],
            "post": op(
                "Deactivate: keep the data, refuse logins (superadmin)",
                (200, ref(TenantInfo)),
                errors=(403, 404, 409),
            ),
        },
        f"{api}/tenants/{{tenant_id}}/reactivate": {
            "parameters": [TENANT_PARAM],
            "post": op("Reactivate (superadmin)", (200, ref(TenantInfo)), errors=(403, 404, 409)),
        },
        f"{api}/tenants/{{tenant_id}}/settings": {
            "parameters": [TENANT_PARAM],
            "get": op(
                "The bot's language, delivery fee, text overrides and business rules",
                (200, ref(TenantSettings)),
                errors=(404,),
            ),
            "patch": op(
                "Change them (superadmin or the tenant's managers); a null text restores the built-in one",
                (200, ref(TenantSettings)),
                errors=(403, 404),
                body=ref(TenantSettingsChange),
            ),
        },
        f"{api}/tenants/{{tenant_id}}/order-alerts": {
            "parameters": [TENANT_PARAM],
            "get": op(
                "The latest new-order alerts to the business (WhatsApp, e-mail) and how each went",
                (200, ref(OrderAlertList)),
                errors=(404, 422),
                params=[query_param("limit", {"type": "integer", "minimum": 1, "maximum": 200})],
            ),
        },
        f"{api}/users": {
            "get": op(
                "List users (superadmin)",
                (200, ref(UserList)),
                errors=(403, 422),
                params=[query_param("tenant_id", {"type": "string", "maxLength": 13})],
            ),
            "post": op(
                "Create a user (superadmin)", (201, ref(UserInfo)), errors=(403, 404, 409), body=ref(NewUserRequest)
            ),
        },
        f"{api}/users/{{user_id}}": {
            "parameters": [_USER_PARAM],
            "get": op("Show a user (superadmin)", (200, ref(UserInfo)), errors=(403, 404)),
            "patch": op(
                "Disable/enable or reset the password; ends the user's sessions (superadmin)",
                (200, ref(UserInfo)),
                errors=(403, 404),
                body=ref(UserChange),
            ),
        },
        f"{api}/admin/audit": {
            "get": op(
                "The audit log, newest first (superadmin)",
                (200, ref(AuditPage)),
                errors=(403, 422),
                params=_AUDIT_PARAMS,
            ),
        },
    }
