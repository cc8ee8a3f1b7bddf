"""A customer's message as the bot reads it, whatever the provider: who wrote, and what.

The webhook parsers (`server/providers/parsing.py`) build these, the inbox stores and reads them
back, and the chat brain answers them: one type from the provider's payload to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

InboundKind = Literal["text", "button", "list", "order", "location", "media", "other"]


@dataclass(frozen=True)
class CustomerRef:
    """Who writes: at least one of `wa_id` (digits) and `user_id` (WhatsApp's BSUID) is present."""

    wa_id: str | None
    user_id: str | None
    phone_e164: str | None
    profile_name: str | None

    @property
    def key(self) -> str:
        """The id a chat session is keyed on: wa_id, else the BSUID, else the phone."""
        key = self.wa_id or self.user_id or self.phone_e164
        if not key:
            raise ValueError("a customer needs a wa_id, a user_id or a phone")
        return key


@dataclass(frozen=True)
class MediaRef:
    """A file a customer sent, as the provider names it: Meta's and 360dialog's media id, or a
    Twilio `MediaUrl`; `kind` is image, audio, video, document or sticker."""

    kind: str
    ref: str
    mime: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One customer message, normalised by the transport (provider formats never reach the flow).

    `reply_id` is the id of the tapped button or list row; `order_items` are (SKU, quantity)
    pairs of a native catalog cart. `media` are the files of a `media` message (downloaded by
    the media worker; the bot reads only the caption, in `text`).
    """

    kind: InboundKind
    text: str = ""
    reply_id: str | None = None
    order_items: tuple[tuple[str, int], ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    location_name: str | None = None
    location_address: str | None = None
    media: tuple[MediaRef, ...] = ()
