"""The sandbox chat on the wire: one customer message in, the bot's replies (and a placed order) out.

This is the console's "test chat": a customer message goes through the tenant's real bot as the
``sandbox`` channel, so the replies are what a WhatsApp customer would get, and a confirmed cart
becomes a real order of the tenant.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

import msgspec

from comandia.shared.schemas.wire import Request, Wire


class SandboxMessage(Request, frozen=True, omit_defaults=True):
    """What the customer sends: `text`, or `reply_id` (a tapped button or list row), not both."""

    json_schema_extra: ClassVar[dict[str, Any]] = {"oneOf": [{"required": ["text"]}, {"required": ["reply_id"]}]}

    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)] | None = None
    reply_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    name: Annotated[str, msgspec.Meta(max_length=120)] | None = None


class ChatButton(Wire, frozen=True):
    """A reply button: the id to send back as `reply_id`, and what the customer sees."""

    id: str
    title: str


class ChatRow(Wire, frozen=True):
    """A row of a list message: the id to send back as `reply_id`, its title and description."""

    id: str
    title: str
    description: str = ""


ChatChoice = ChatButton | ChatRow
"""Either kind of choice: both have an `id` and a `title`."""


class ChatSection(Wire, frozen=True):
    title: str
    rows: tuple[ChatRow, ...]


class BotReply(Wire, frozen=True):
    """One message of the bot: a body, then reply buttons or a list (or neither).

    `text` is the plain-text form providers without buttons send (choices numbered from 1).
    """

    body: str
    buttons: tuple[ChatButton, ...] = ()
    list_button: str | None = None
    sections: tuple[ChatSection, ...] = ()
    text: str = ""


class PlacedOrder(Wire, frozen=True):
    """The order this turn placed: its id (for the API) and number (what the customer is told)."""

    id: int
    number: int
    total: Decimal


class SandboxTurn(Wire, frozen=True):
    """The answer to one sandbox message; `order` is set only on the turn that placed it.

    `handoff`: on WhatsApp the bot would now hand the chat to a person (the customer asked for
    one). Sandbox chats are not conversations: they are not listed in `GET conversations`, nobody
    takes them over, and the bot goes on answering; the console and `comandia-admin chat` say so.
    """

    replies: tuple[BotReply, ...]
    order: PlacedOrder | None = None
    handoff: bool = False
