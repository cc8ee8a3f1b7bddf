"""OpenAPI path of the sandbox chat (the console's test chat with a tenant's bot)."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import TENANT_PARAM, Schema, op, ref
from comandia.shared.schemas.sandbox import SandboxMessage, SandboxTurn


def sandbox_paths() -> dict[str, Schema]:
    return {
        "/api/v1/tenants/{tenant_id}/sandbox/messages": {
            "parameters": [TENANT_PARAM],
            "post": op(
                "Send one customer message to the tenant's bot (sandbox channel; may place a real order)",
                (200, ref(SandboxTurn)),
                (403, 404),
                body=ref(SandboxMessage),
            ),
        },
    }
