"""What the inbox and the outbox tables keep of a message, typed: written and read through these only.

The JSON shapes are the ones rows were always stored in, so rows written before an upgrade are
read after it. `InboxPayload` holds a webhook's message (the provider's raw JSON, for replay, and
the `Inbound` the bot reads); `OutboxPayload` one message to send (a reply, a status notice, the
"not taking orders" notice), with the approved template that replaces it outside WhatsApp's
24-hour window.
"""

from __future__ import annotations

from typing import Any, Literal, cast

import msgspec

from comandia.server.chat.model import Reply
from comandia.server.providers.base import InboundMessage, OutboundMessage, Template
from comandia.shared.domain.messages import CustomerRef, Inbound

OutboxKind = Literal["reply", "status", "unavailable", "human", "alert"]


class StoredCustomer(msgspec.Struct, frozen=True):
    """Who wrote, as an inbox row keeps it (the phone is derived from a phone-based wa_id)."""

    wa_id: str | None = None
    user_id: str | None = None
    name: str | None = None

    def ref(self) -> CustomerRef:
        wa_id = self.wa_id
        return CustomerRef(
            wa_id=wa_id,
            user_id=self.user_id,
            profile_name=self.name,
            phone_e164=f"+{wa_id}" if wa_id and wa_id.isdigit() else None,
        )


class InboxPayload(msgspec.Struct, frozen=True):
    """An inbox row's `payload`."""

    raw: dict[str, Any]
    customer: StoredCustomer
    inbound: Inbound

    @classmethod
    def of(cls, message: InboundMessage) -> InboxPayload:
        who = message.customer
        return cls(message.raw, StoredCustomer(who.wa_id, who.user_id, who.profile_name), message.content)

    @classmethod
    def read(cls, stored: Any) -> InboxPayload:
        """Raises: msgspec.ValidationError for a row that is not an inbox payload (a bug or a hand edit)."""
        return msgspec.convert(stored, cls)

    def stored(self) -> dict[str, Any]:
        return cast(dict[str, Any], msgspec.to_builtins(self))


class OutboxPayload(msgspec.Struct, frozen=True):
    """An outbox row's `payload`: the message, plain `text` for channels without buttons, and templates.

    `template` set: the message goes out as that template (past the 24-hour window).
    `fallback_template` set: sent free-form, retried as this template if the provider answers
    that the window closed meanwhile. A message reported failed for that after it was sent is
    queued again as its template (`window_resend.py`): the new row's `resend_of` and the
    original's `resent_as` are each other's outbox ids.
    """

    kind: OutboxKind
    body: str
    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    list_button: str | None = None
    list_sections: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = ()
    template: Template | None = None
    fallback_template: Template | None = None
    resend_of: int | None = None
    resent_as: int | None = None

    @classmethod
    def of(cls, reply: Reply, kind: OutboxKind = "reply") -> OutboxPayload:
        return cls(kind, reply.body, reply.to_text(), reply.buttons, reply.list_button, reply.list_sections)

    @classmethod
    def read(cls, stored: Any) -> OutboxPayload:
        """Raises: msgspec.ValidationError for a row that is not an outbox payload."""
        return msgspec.convert(stored, cls)

    def stored(self) -> dict[str, Any]:
        data = cast(dict[str, Any], msgspec.to_builtins(self))
        for key in ("template", "fallback_template", "resend_of", "resent_as"):  # absent, not null, as always
            if data[key] is None:
                del data[key]
        return data

    def to(self, customer: str) -> OutboundMessage:
        """The message for the provider, addressed to `customer`."""
        return OutboundMessage(
            customer, self.body, self.text, self.buttons, self.list_button, self.list_sections, self.template
        )

    def as_template(self) -> OutboxPayload:
        """The same message sent as its fallback template instead (the window closed)."""
        return msgspec.structs.replace(self, template=self.fallback_template, fallback_template=None)
