"""WhatsApp numbers on the wire: what the console and comandia-admin see of a number.

Credentials never leave the server. `webhook_secret` is shown once, in the answer to the create
call, because the operator must paste it into 360dialog's webhook configuration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class NumberInfo:
    id: int
    tenant_id: str
    provider: str
    e164: str
    phone_number_id: str | None
    waba_id: str | None
    account_sid: str | None
    state: str
    pause_reason: str | None
    last_inbound_at: dt.datetime | None
    created_at: dt.datetime
    webhook_path: str
    verify_token: str | None = None
    webhook_secret: str | None = None
    status_template: str | None = None
    template_language: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_inbound_at", "created_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NumberInfo:
        values: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        for key in ("last_inbound_at", "created_at"):
            values[key] = dt.datetime.fromisoformat(str(values[key])) if values[key] else None
        return cls(**values)


@dataclass(frozen=True)
class UnroutableInfo:
    id: int
    received_at: dt.datetime
    provider: str
    reason: str
    routing_key: str | None
    size_bytes: int

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        return data
