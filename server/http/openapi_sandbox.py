"""OpenAPI path and schemas of the sandbox chat (the console's test chat with a tenant's bot)."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import ID, TENANT_PARAM, Schema, nullable, obj, op, ref

_TEXT: Schema = {"type": "string"}
_CHOICE = obj({"id": _TEXT, "title": _TEXT})
_ROW = obj({"id": _TEXT, "title": _TEXT, "description": _TEXT})

SANDBOX_COMPONENTS: dict[str, Schema] = {
    "SandboxMessage": obj(
        {
            "phone": {"type": "string", "minLength": 1, "maxLength": 40},
            "name": {"type": "string", "maxLength": 120},
            "text": {"type": "string", "minLength": 1, "maxLength": 4096},
            "reply_id": {"type": "string", "minLength": 1, "maxLength": 200},
        },
        required=("phone",),
    )
    | {"oneOf": [{"required": ["text"]}, {"required": ["reply_id"]}]},
    "BotReply": obj({
        "body": _TEXT,
        "buttons": {"type": "array", "items": _CHOICE},
        "list_button": nullable(_TEXT),
        "sections": {"type": "array", "items": obj({"title": _TEXT, "rows": {"type": "array", "items": _ROW}})},
        "text": _TEXT,
    }),
    "SandboxTurn": obj({
        "replies": {"type": "array", "items": ref("BotReply")},
        "order": nullable(obj({"id": ID, "number": {"type": "integer"}, "total": _TEXT})),
    }),
}


def sandbox_paths() -> dict[str, Schema]:
    return {
        "/api/v1/tenants/{tenant_id}/sandbox/messages": {
            "parameters": [TENANT_PARAM],
            "post": op(
                "Send one customer message to the tenant's bot (sandbox channel; may place a real order)",
                (200, ref("SandboxTurn")),
                (403, 404),
                body=ref("SandboxMessage"),
            ),
        },
    }
