"""What every WhatsApp provider speaks: normalised inbound records, outbound messages, send results.

Providers are HTTP clients only: they know no database and no tenant. The webhook edge turns a
provider's payload into `InboundMessage` / `StatusUpdate` records (`parsing.py`); the outbox sender
hands an `OutboundMessage` to `Provider.send` and gets a `SendResult` or a classified `SendError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from comandia.server.providers.media import Downloaded, MediaLimits
from comandia.shared.domain.messages import CustomerRef, Inbound
from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.i18n import N_, fill, text
from comandia.shared.schemas.numbers import CheckLine, NumberCheck

ErrorKind = Literal["transient", "permanent", "auth"]

STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5}
"""Delivery statuses only move up this ladder (`failed` is terminal); providers reorder them."""


@dataclass(frozen=True)
class Endpoints:
    """Where the providers' APIs live (tests point them at the loopback stand-in) and how long to wait."""

    meta_base: str = "https://graph.facebook.com"
    meta_version: str = "v21.0"
    dialog360_base: str = "https://waba-v2.360dialog.io"
    twilio_base: str = "https://api.twilio.com"
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class InboundMessage:
    """One customer message as a webhook delivered it: who wrote (`customer`) and what (`content`,
    the type the chat brain reads), where it was routed, and the provider's own JSON for replay.

    A customer is identified by `wa_id` (the phone-based id to reply to) or, for WhatsApp users
    without a visible phone, by the business-scoped `user_id`; the parser guarantees one of them.
    """

    provider_message_id: str
    routing_key: str
    customer: CustomerRef
    content: Inbound
    sent_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def customer_key(self) -> str:
        """Whom to reply to: the wa_id when known, else the business-scoped user id."""
        return self.customer.key


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery status of a message we sent (`wamid` is its provider message id)."""

    wamid: str
    status: str
    at: dt.datetime
    routing_key: str
    error_code: int | None = None


@dataclass(frozen=True)
class RejectedEvent:
    """One message or status of an authenticated webhook that cannot be kept as it came (a NUL,
    a lone surrogate, a 20,000-character `from`, nesting past the limit, a field missing).

    It is quarantined with its `reason` and a bounded, escaped `excerpt`, and never processed;
    the rest of its POST is stored as usual (RELIABILITY S15). `provider_message_id` and
    `customer_key` are None when the event's own were unusable.
    """

    routing_key: str
    provider_message_id: str | None
    customer_key: str | None
    reason: str
    excerpt: str


@dataclass(frozen=True)
class ParsedEvents:
    """Everything one webhook POST carried, in payload order."""

    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()
    rejected: tuple[RejectedEvent, ...] = ()


class PayloadError(ValueError):
    """A webhook body that does not follow the provider's format; `path` names the bad field.

    `problem` is a catalog template filled from `values`: `str()` is the English for logs,
    `localized` the reader's language for the 400 answer. Name a built path in a variable first:
    Babel's extractor skips a call with an f-string argument, so its problem would miss the catalog.
    """

    def __init__(self, path: str, problem: str, /, **values: object) -> None:
        super().__init__(f"{path}: {fill(problem, values)}")
        self.path = path
        self.problem = problem
        self.values = values

    def localized(self, language: str) -> str:
        """``<path>: <problem>`` with the problem in `language`."""
        return f"{self.path}: {text(language, self.problem, **self.values)}"


@dataclass(frozen=True)
class Template:
    """An approved message template (Meta/360dialog: its name; Twilio: a Content SID) and its body
    variables in order ({{1}}, {{2}}, ...): the only kind of message allowed after the 24-hour window."""

    name: str
    language: str
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboundMessage:
    """One message to a customer: text, optionally with reply buttons or a list, or a template.

    `text` is the whole message as plain text, for channels without interactive messages (and
    what the sandbox shows of a template).
    """

    to: str
    body: str
    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    list_button: str | None = None
    list_sections: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = ()
    template: Template | None = None


@dataclass(frozen=True)
class SendResult:
    """The provider accepted the message (not delivered: statuses follow) under this id."""

    provider_message_id: str


UNREACHABLE = N_("the provider could not be reached")
"""A send's failure reason when the connection failed or timed out; the error's class follows it.
Reasons are stored in English and read in the manager's language (`shared.i18n.reason_in`)."""
NO_MESSAGE_ID = N_("the provider accepted the message but sent no message id")


UNREACHABLE_CHECK = N_("provider unreachable ({error})")
PROVIDER_ANSWERED = N_("the provider answered: {answer}")


@dataclass(frozen=True)
class Check:
    """One check of "test this number" as a provider found it, before it is worded for a reader:
    `label` and `detail` are catalog texts, `values` fill `detail` (a provider's own words go in a
    value, shown as they came)."""

    label: str
    ok: bool
    detail: str
    values: Mapping[str, object] = field(default_factory=dict)


def worded(checks: Sequence[Check], language: str) -> NumberCheck:
    """The checks in `language`; `ok` when every one passed."""
    lines = tuple(CheckLine(text(language, c.label), c.ok, text(language, c.detail, **c.values)) for c in checks)
    return NumberCheck(all(c.ok for c in checks), lines)


class SendError(Exception):
    """A send the provider refused or that did not complete.

    Attributes:
        kind: `transient` (retry with backoff), `permanent` (record and stop) or `auth`
            (credentials expired or revoked: stop the number and tell the tenant).
        code: the provider's error code (Meta's `error.code`, Twilio's `code`), if any.
        retry_after: seconds to wait at least before the next attempt, if the provider said.
        max_attempts: retry at most this often (Meta's code 1 is retried once), None for no cap.
    """

    def __init__(
        self,
        kind: ErrorKind,
        detail: str,
        code: int | None = None,
        retry_after: float | None = None,
        max_attempts: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind: ErrorKind = kind
        self.detail = detail
        self.code = code
        self.retry_after = retry_after
        self.max_attempts = max_attempts


class Provider(Protocol):
    """A provider's API for one number."""

    name: ProviderName

    def send(self, message: OutboundMessage) -> SendResult:
        """Send one message. Raises: SendError (classified)."""
        ...

    def check(self) -> tuple[Check, ...]:
        """Call the provider's API to see that the number's credentials and setup work (`worded`
        puts the answer in the reader's language)."""
        ...

    def fetch_media(self, ref: str, target: Path, limits: MediaLimits) -> Downloaded:
        """Download the file a customer sent (`ref`: a media id, or Twilio's MediaUrl) into `target`.

        Raises: MediaFetchError (classified; `target` is left absent)."""
        ...
