"""The WhatsApp side's fixed vocabularies: providers, number states, outbox states."""

from __future__ import annotations

from enum import StrEnum


class ProviderName(StrEnum):
    """Who carries a number's messages: Meta's Cloud API, 360dialog (the same API behind a BSP),
    Twilio, or the in-memory sandbox (nothing leaves the appliance)."""

    META = "meta"
    DIALOG360 = "360dialog"
    TWILIO = "twilio"
    SANDBOX = "sandbox"


class NumberState(StrEnum):
    """`active` answers customers; `paused` keeps acknowledging and storing webhooks but does not reply."""

    ACTIVE = "active"
    PAUSED = "paused"


class OutboxState(StrEnum):
    """A queued message's way out: `queued` -> `sending` (committed before the provider is called)
    -> `sent` or `failed`; a transient failure goes back to `queued` with a later attempt time."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
