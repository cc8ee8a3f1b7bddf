"""Conversations on the wire: the chats a person reads and answers, and the changes feed.

A conversation is one customer on one of the tenant's numbers. Its `id` is opaque (the phone
never appears in a URL). `state` says who has the chat: the bot (`bot`), nobody yet although the
customer asked for a person (`waiting`), or a person (`human`, named by `agent`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from comandia.shared.schemas.orders import OrderSummary
from comandia.shared.schemas.sandbox import BotReply
from comandia.shared.schemas.wire import Request, Wire, documented

CONVERSATION_ID_PATTERN = "^[A-Za-z0-9_-]{8,24}$"
ConversationState = Literal["bot", "waiting", "human"]
MAX_TRANSCRIPT = 1000
"""The most messages one transcript answer holds (the newest ones)."""


class ConversationSummary(Wire, frozen=True):
    """A chat as the list shows it; `last_direction` is `in` (the customer wrote last) or `out`."""

    id: Annotated[str, documented(pattern=CONVERSATION_ID_PATTERN)]
    number_id: int
    customer_phone: str | None
    customer_name: str | None
    state: Annotated[str, documented(enum=["bot", "waiting", "human"])]
    state_changed_at: dt.datetime
    handoff_reason: str | None
    agent: str | None
    last_message_at: dt.datetime
    last_message_text: str
    last_direction: Annotated[str, documented(enum=["in", "out"])]
    unread: int


class ConversationPage(Wire, frozen=True):
    """Chats, newest message first; pass `next_cursor` back as `cursor` for the next page."""

    items: tuple[ConversationSummary, ...]
    next_cursor: str | None


class MediaEntry(Wire, frozen=True):
    """A file the customer sent: `id` for `GET …/conversations/{id}/media/{media_id}` (managers),
    `kind` (image, audio, video, document, sticker), `state` (`pending` while it downloads,
    `stored`, `failed`: it could not be downloaded, `error` says why; `expired`: deleted by the
    retention rule), its type and size once stored, the caption and the file name it came with."""

    id: str
    kind: str
    state: Annotated[str, documented(enum=["pending", "stored", "failed", "expired"])]
    mime: str | None = None
    size: int | None = None
    caption: str | None = None
    filename: str | None = None
    error: str | None = None


class TranscriptMessage(Wire, frozen=True):
    """One message of a chat, either side.

    `direction` `in` is the customer's (`kind` text, button, list, order, location, media, other);
    `out` is ours: the bot's (`author` None; `reply` holds the buttons or list as sent) or a
    person's (`author` their user name). `delivery` is our outbox's state (queued, sending, sent,
    failed) and `status` the provider's ticks (sent, delivered, read, failed), None until known.
    A customer's files are in `media`; a location has its coordinates and `map_url`.
    `error_code` is the provider's code of a failure (131047 / 63016: the 24-hour window had
    closed); such a message carrying a template is sent again as it: `resent_as` names the new
    message, whose `resend_of` names the failed one.
    """

    id: str
    direction: Annotated[str, documented(enum=["in", "out"])]
    at: dt.datetime
    kind: str
    text: str
    author: str | None = None
    reply: BotReply | None = None
    template: str | None = None
    delivery: str | None = None
    status: str | None = None
    error: str | None = None
    error_code: int | None = None
    resend_of: str | None = None
    resent_as: str | None = None
    media: tuple[MediaEntry, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    map_url: str | None = None


class ConversationDetail(Wire, frozen=True):
    """One chat: its summary, the newest messages (oldest first), the customer's orders and whether
    a free-text reply may go out (`window_open`: the customer wrote within 24 hours; outside it
    only an approved template may be sent, and `reply_mode` says so)."""

    conversation: ConversationSummary
    messages: tuple[TranscriptMessage, ...]
    more_messages: bool
    orders: tuple[OrderSummary, ...]
    window_open: bool
    window_closes_at: dt.datetime | None
    reply_mode: Annotated[str, documented(enum=["text", "template"])]
    template: str | None
    """The approved template a reply outside the window goes out as (None: the number has none)."""


class HumanMessage(Request, frozen=True):
    """A person's reply to the customer: free text inside the 24-hour window; outside it, the
    text is sent as the number's approved reply template (its one parameter)."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class ChangeEntry(Wire, frozen=True):
    """One change: `kind` is `order` (an order was placed or changed status; `ref` its id,
    `detail` the new status) or `conversation` (`ref` its id, `detail` its state or `message`)."""

    id: int
    kind: Annotated[str, documented(enum=["order", "conversation"])]
    ref: str
    detail: str
    at: dt.datetime


class ChangePage(Wire, frozen=True):
    """What changed after the `since` cursor, oldest first. Poll again with `cursor`; `reset`
    means `since` is older than the feed keeps (or from another database): reload everything."""

    items: tuple[ChangeEntry, ...]
    cursor: int
    reset: bool = False
