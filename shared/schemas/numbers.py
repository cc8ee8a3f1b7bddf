"""WhatsApp numbers on the wire: what the console and comandia-admin see of a number, and send.

Credentials never leave the server. `webhook_secret` is shown once, in the answer to the create
call, because the operator must paste it into 360dialog's webhook configuration.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.schemas.wire import Request, Wire, documented

PROVIDERS = tuple(ProviderName)
_ID = Annotated[str, msgspec.Meta(max_length=64)]
_SECRET = Annotated[str, msgspec.Meta(max_length=1000)]


class NumberInfo(Wire, frozen=True):
    id: int
    tenant_id: str
    provider: Annotated[str, documented(enum=list(PROVIDERS))]
    e164: str
    phone_number_id: str | None
    waba_id: str | None
    account_sid: str | None
    state: Annotated[str, documented(enum=["active", "paused"])]
    pause_reason: str | None
    """Why it is paused, in the caller's language (`Accept-Language`, Spanish first): a sentence of
    ours, or what the person who paused it typed."""
    last_inbound_at: dt.datetime | None
    created_at: dt.datetime
    webhook_path: str
    verify_token: str | None = None
    webhook_secret: str | None = None
    status_template: str | None = None
    template_language: str | None = None
    pause_code: Annotated[str, documented(enum=["manager", "operator", "credentials_refused"])] | None = None
    """Why it is paused, for programs: by a manager or an operator (comandia-admin), or because the
    provider refused its credentials (`provider_code` says the provider's code)."""
    provider_code: int | None = None


class NumberList(Wire, frozen=True):
    items: tuple[NumberInfo, ...]


class NewNumber(Request, frozen=True):
    """A number to add; which credentials are required depends on the provider (the service says)."""

    provider: Annotated[str, msgspec.Meta(max_length=16), documented(enum=list(PROVIDERS))]
    e164: Annotated[str, msgspec.Meta(max_length=40)]
    phone_number_id: _ID | None = None
    waba_id: _ID | None = None
    account_sid: _ID | None = None
    access_token: _SECRET | None = None
    app_secret: _SECRET | None = None
    api_key: _SECRET | None = None
    auth_token: _SECRET | None = None
    webhook_secret: _SECRET | None = None
    """360dialog/sandbox: the secret header value; generated when not given."""
    status_template: Annotated[str, msgspec.Meta(max_length=512)] | None = None
    """The approved template for status notices after the 24-hour window (Twilio: a Content SID)."""
    template_language: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    """The template's language code (e.g. `es_MX`); the tenant's language when not given."""


class PauseRequest(Request, frozen=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class CheckLine(Wire, frozen=True):
    """One check of "test this number": what was checked, whether it passed, what was found, in the
    reader's language (the request's Accept-Language; a provider's own words as they came)."""

    name: str
    ok: bool
    detail: str


class NumberCheck(Wire, frozen=True):
    """The outcome of "test this number"; `ok` when every check passed."""

    ok: bool
    checks: tuple[CheckLine, ...]


class UnroutableInfo(Wire, frozen=True):
    id: int
    received_at: dt.datetime
    provider: str
    reason: str
    routing_key: str | None
    size_bytes: int


class UnroutableList(Wire, frozen=True):
    items: tuple[UnroutableInfo, ...]
