"""OpenAPI paths of WhatsApp numbers and unroutable webhooks (the webhooks themselves
are not part of /api/v1: providers call them, not API clients)."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import ID, TENANT_PARAM, Schema, op, path_param, query_param, ref
from comandia.shared.schemas.numbers import (
    NewNumber,
    NumberCheck,
    NumberInfo,
    NumberList,
    PauseRequest,
    UnroutableList,
)

_READ, _WRITE, _ADMIN = (404,), (403, 404, 409), (403, 404, 409)


def number_paths() -> dict[str, Schema]:
    base = "/api/v1/tenants/{tenant_id}/numbers"
    item = [TENANT_PARAM, path_param("number_id", ID)]
    return {
        base: {
            "parameters": [TENANT_PARAM],
            "get": op("List the tenant's WhatsApp numbers", (200, ref(NumberList)), _READ),
            "post": op(
                "Add a WhatsApp number (superadmin); the only answer that shows its webhook secret",
                (201, ref(NumberInfo)),
                _ADMIN,
                body=ref(NewNumber),
            ),
        },
        f"{base}/{{number_id}}": {
            "parameters": item,
            "get": op("Show a WhatsApp number", (200, ref(NumberInfo)), _READ),
            "delete": op("Remove a WhatsApp number (superadmin)", (204, None), _ADMIN),
        },
        f"{base}/{{number_id}}/pause": {
            "parameters": item,
            "post": op(
                "Stop replying from the number (webhooks are still kept)",
                (200, ref(NumberInfo)),
                _WRITE,
                body=ref(PauseRequest),
            ),
        },
        f"{base}/{{number_id}}/resume": {
            "parameters": item,
            "post": op("Reply from the number again", (200, ref(NumberInfo)), _WRITE),
        },
        f"{base}/{{number_id}}/test": {
            "parameters": item,
            "post": op("Call the provider's API with the stored credentials", (200, ref(NumberCheck)), _WRITE),
        },
        "/api/v1/admin/unroutable": {
            "get": op(
                "Webhooks no number claimed (superadmin)",
                (200, ref(UnroutableList)),
                (403, 422),
                params=[query_param("limit", {"type": "integer", "minimum": 1, "maximum": 500})],
            ),
        },
    }
