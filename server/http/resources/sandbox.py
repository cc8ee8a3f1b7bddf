"""`/api/v1/tenants/{tenant_id}/sandbox/messages`: chat with the tenant's real bot (no WhatsApp).

A turn can place a real order, so this is a write: a superadmin or the tenant's manager may
chat; a viewer gets 403; another tenant's manager gets 404, as for a tenant that does not exist.
"""

from __future__ import annotations

import falcon

from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import read_body
from comandia.server.services.messaging.sandbox import SandboxChatService
from comandia.shared.schemas.sandbox import SandboxMessage


class SandboxMessages:
    def __init__(self, sandbox: SandboxChatService) -> None:
        self._sandbox = sandbox

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        """One customer message in; the bot's replies (and the order it placed, if any) out."""
        access_tenant(req, tenant_id, write=True)
        message = read_body(req, SandboxMessage)
        resp.media = self._sandbox.turn(tenant_id, message).to_json()
