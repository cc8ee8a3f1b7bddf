"""OpenAPI paths and schemas of WhatsApp numbers and unroutable webhooks (the webhooks themselves
are not part of /api/v1: providers call them, not API clients)."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import (
    ID,
    TENANT_PARAM,
    TIMESTAMP,
    Schema,
    items_of,
    nullable,
    obj,
    op,
    path_param,
    query_param,
    ref,
)

_TEXT: Schema = {"type": "string"}
_OPT = nullable(_TEXT)
_PROVIDERS = ["meta", "360dialog", "twilio", "sandbox"]
_READ, _WRITE, _ADMIN = (404,), (403, 404, 409), (403, 404, 409)

NUMBER_COMPONENTS: dict[str, Schema] = {
    "WhatsAppNumber": obj({
        "id": ID, "tenant_id": _TEXT, "provider": {"type": "string", "enum": _PROVIDERS}, "e164": _TEXT,
        "phone_number_id": _OPT, "waba_id": _OPT, "account_sid": _OPT,
        "state": {"type": "string", "enum": ["active", "paused"]}, "pause_reason": _OPT,
        "last_inbound_at": nullable(TIMESTAMP), "created_at": TIMESTAMP, "webhook_path": _TEXT,
        "verify_token": _OPT, "webhook_secret": _OPT, "status_template": _OPT, "template_language": _OPT,
    }),
    "WhatsAppNumberInput": obj(
        {"provider": {"type": "string", "enum": _PROVIDERS}, "e164": {"type": "string", "maxLength": 40},
         **{name: {"type": "string", "maxLength": 64} for name in ("phone_number_id", "waba_id", "account_sid")},
         **{name: {"type": "string", "maxLength": 1000}
            for name in ("access_token", "app_secret", "api_key", "auth_token", "webhook_secret")},
         "status_template": {"type": "string", "maxLength": 512},
         "template_language": {"type": "string", "maxLength": 16}},
        required=("provider", "e164"),
    ),
    "WhatsAppNumberList": items_of("WhatsAppNumber"),
    "NumberCheck": obj({"ok": {"type": "boolean"}, "checks": {"type": "array", "items": obj(
        {"name": _TEXT, "ok": {"type": "boolean"}, "detail": _TEXT})}}),
    "UnroutableEvent": obj({"id": ID, "received_at": TIMESTAMP, "provider": _TEXT, "reason": _TEXT,
                            "routing_key": _OPT, "size_bytes": {"type": "integer"}}),
    "UnroutableList": items_of("UnroutableEvent"),
}


def number_paths() -> dict[str, Schema]:
    base = "/api/v1/tenants/{tenant_id}/numbers"
    item = [TENANT_PARAM, path_param("number_id", ID)]
    return {
        base: {
            "parameters": [TENANT_PARAM],
            "get": op("List the tenant's WhatsApp numbers", (200, ref("WhatsAppNumberList")), _READ),
            "post": op("Add a WhatsApp number (superadmin); the only answer that shows its webhook secret",
                       (201, ref("WhatsAppNumber")), _ADMIN, body=ref("WhatsAppNumberInput")),
        },
        f"{base}/{{number_id}}": {
            "parameters": item,
            "get": op("Show a WhatsApp number", (200, ref("WhatsAppNumber")), _READ),
            "delete": op("Remove a WhatsApp number (superadmin)", (204, None), _ADMIN),
        },
        f"{base}/{{number_id}}/pause": {
            "parameters": item,
            "post": op("Stop replying from the number (webhooks are still kept)", (200, ref("WhatsAppNumber")),
                       _WRITE, body=obj({"reason": {"type": "string", "maxLength": 500}}, required=())),
        },
        f"{base}/{{number_id}}/resume": {
            "parameters": item,
            "post": op("Reply from the number again", (200, ref("WhatsAppNumber")), _WRITE),
        },
        f"{base}/{{number_id}}/test": {
            "parameters": item,
            "post": op("Call the provider's API with the stored credentials", (200, ref("NumberCheck")), _WRITE),
        },
        "/api/v1/admin/unroutable": {
            "get": op("Webhooks no number claimed (superadmin)", (200, ref("UnroutableList")), (403, 422),
                      params=[query_param("limit", {"type": "integer", "minimum": 1, "maximum": 500})]),
        },
    }
