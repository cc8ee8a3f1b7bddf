"""OpenAPI paths of the appliance-wide API: health, auth, tenants, users."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import (
    ID,
    TENANT_ID_PATTERN,
    TENANT_PARAM,
    TIMESTAMP,
    Schema,
    nullable,
    obj,
    op,
    path_param,
    query_param,
    ref,
)

_PASSWORD: Schema = {"type": "string", "minLength": 8, "maxLength": 256}
_STATUS = obj({"status": {"type": "string"}})
_STATUS_DETAIL = obj({"status": {"type": "string"}, "detail": {"type": "string"}}, required=("status",))

_NEW_TENANT = obj(
    {
        "name": {"type": "string", "minLength": 1, "maxLength": 120},
        "timezone": {"type": "string", "maxLength": 64},
        "currency": {"type": "string", "maxLength": 3},
        "locale": {"type": "string", "enum": ["es", "en"]},
        "server": {"type": "string", "maxLength": 63},
    },
    required=("name",),
)
_NEW_USER = obj(
    {
        "username": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$"},
        "password": _PASSWORD,
        "role": {"type": "string", "enum": ["superadmin", "manager", "viewer"]},
        "tenant_id": nullable({"type": "string", "pattern": TENANT_ID_PATTERN}),
    },
    required=("username", "password", "role"),
)
_SETTINGS = obj({
    "locale": {"type": "string", "enum": ["es", "en"]},
    "delivery_fee": {"type": "string", "description": 'a decimal amount such as "35.00"'},
    "texts": {"type": "object", "additionalProperties": {"type": "string"}},
})
_SETTINGS_CHANGE = obj({
    "locale": {"type": "string", "enum": ["es", "en"]},
    "delivery_fee": {"type": ["string", "integer"], "description": 'an amount such as "35.00" (no floats)'},
    "texts": {"type": "object", "maxProperties": 200,
              "additionalProperties": {"type": ["string", "null"], "maxLength": 1000}},
}, required=())
_USER_CHANGE = obj({"disabled": {"type": "boolean"}, "password": _PASSWORD}, required=())
_USER_PARAM = path_param("user_id", ID)

ADMIN_COMPONENTS: dict[str, Schema] = {
    "AuditEntry": obj({
        "id": ID, "at": TIMESTAMP, "actor": {"type": "string"}, "action": {"type": "string"},
        "tenant_id": nullable({"type": "string"}), "detail": {"type": "object"},
    }),
    "AuditPage": obj({"items": {"type": "array", "items": ref("AuditEntry")},
                      "next_cursor": nullable({"type": "string"})}),
}
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
                (200, ref("LoginResult")),
                errors=(401, 403, 429),
                public=True,
                body=obj(
                    {
                        "username": {"type": "string", "maxLength": 200},
                        "password": {"type": "string", "maxLength": 256},
                    }
                ),
            )
        },
        f"{api}/auth/logout": {"post": op("Revoke this request's token", (204, None))},
        f"{api}/auth/me": {"get": op("The user this token belongs to", (200, ref("User")))},
        f"{api}/auth/password": {
            "post": op(
                "Change my password; every token of mine stops working",
                (204, None),
                body=obj(
                    {"current_password": {"type": "string", "maxLength": 256}, "new_password": _PASSWORD}
                ),
            )
        },
        f"{api}/tenants": {
            "get": op(
                "List tenants (superadmin)",
                (200, ref("TenantList")),
                errors=(403, 422),
                params=[query_param("include_deleted", {"type": "boolean"})],
            ),
            "post": op(
                "Create a tenant and its database (superadmin)",
                (201, ref("Tenant")),
                errors=(403, 404, 409),
                body=_NEW_TENANT,
            ),
        },
        f"{api}/tenants/{{tenant_id}}": {
            "parameters": [TENANT_PARAM],
            "get": op("Show a tenant (superadmin, or its own members)", (200, ref("Tenant")), errors=(404,)),
        },
        f"{api}/tenants/{{tenant_id}}/deactivate": {
            "parameters": [TENANT_PARAM],
            "post": op(
                "Deactivate: keep the data, refuse logins (superadmin)",
                (200, ref("Tenant")),
                errors=(403, 404, 409),
            ),
        },
        f"{api}/tenants/{{tenant_id}}/reactivate": {
            "parameters": [TENANT_PARAM],
            "post": op("Reactivate (superadmin)", (200, ref("Tenant")), errors=(403, 404, 409)),
        },
        f"{api}/tenants/{{tenant_id}}/settings": {
            "parameters": [TENANT_PARAM],
            "get": op("The bot's language, delivery fee and text overrides", (200, _SETTINGS), errors=(404,)),
            "patch": op("Change them (superadmin or the tenant's managers); a null text restores the built-in one",
                        (200, _SETTINGS), errors=(403, 404), body=_SETTINGS_CHANGE),
        },
        f"{api}/users": {
            "get": op(
                "List users (superadmin)",
                (200, ref("UserList")),
                errors=(403, 422),
                params=[query_param("tenant_id", {"type": "string", "maxLength": 13})],
            ),
            "post": op(
                "Create a user (superadmin)", (201, ref("User")), errors=(403, 404, 409), body=_NEW_USER
            ),
        },
        f"{api}/users/{{user_id}}": {
            "parameters": [_USER_PARAM],
            "get": op("Show a user (superadmin)", (200, ref("User")), errors=(403, 404)),
            "patch": op(
                "Disable/enable or reset the password; ends the user's sessions (superadmin)",
                (200, ref("User")),
                errors=(403, 404),
                body=_USER_CHANGE,
            ),
        },
        f"{api}/admin/audit": {
            "get": op("The audit log, newest first (superadmin)", (200, ref("AuditPage")), errors=(403, 422),
                      params=_AUDIT_PARAMS),
        },
    }
