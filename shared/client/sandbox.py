"""`/api/v1/tenants/{tenant_id}/sandbox/messages`: chat with a tenant's bot as a customer."""

from __future__ import annotations

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.sandbox import SandboxMessage, SandboxTurn


class SandboxApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def send(self, tenant_id: str, message: SandboxMessage) -> SandboxTurn:
        """One customer message (text or a tapped choice's id); the bot's replies and any order placed."""
        path = f"/api/v1/tenants/{tenant_id}/sandbox/messages"
        return SandboxTurn.from_json(self._t.send_json("POST", path, message.to_json()))
