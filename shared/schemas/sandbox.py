"""The sandbox chat on the wire: one customer message in, the bot's replies (and a placed order) out.

This is the console's "test chat": a customer message goes through the tenant's real bot as the
``sandbox`` channel, so the replies are what a WhatsApp customer would get, and a confirmed cart
becomes a real order of the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class SandboxMessage:
    """What the customer sends: `text`, or `reply_id` (a tapped button or list row), not both."""

    phone: str
    text: str | None = None
    reply_id: str | None = None
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"phone": self.phone}
        for key in ("text", "reply_id", "name"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body


@dataclass(frozen=True)
class ChatChoice:
    """A button or a list row: the id to send back as `reply_id`, and what the customer sees."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class ChatSection:
    title: str
    rows: tuple[ChatChoice, ...]


@dataclass(frozen=True)
class BotReply:
    """One message of the bot: a body, then reply buttons or a list (or neither).

    `text` is the plain-text form providers without buttons send (choices numbered from 1).
    """

    body: str
    buttons: tuple[ChatChoice, ...] = ()
    list_button: str | None = None
    sections: tuple[ChatSection, ...] = ()
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "buttons": [{"id": b.id, "title": b.title} for b in self.buttons],
            "list_button": self.list_button,
            "sections": [
                {"title": s.title, "rows": [{"id": r.id, "title": r.title, "description": r.description}
                                            for r in s.rows]}
                for s in self.sections
            ],
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotReply:
        return cls(
            body=data["body"],
            buttons=tuple(ChatChoice(b["id"], b["title"]) for b in data.get("buttons", ())),
            list_button=data.get("list_button"),
            sections=tuple(
                ChatSection(
                    s["title"],
                    tuple(ChatChoice(r["id"], r["title"], r.get("description") or "") for r in s["rows"]),
                )
                for s in data.get("sections", ())
            ),
            text=data.get("text", ""),
        )


@dataclass(frozen=True)
class PlacedOrder:
    """The order this turn placed: its id (for the API) and number (what the customer is told)."""

    id: int
    number: int
    total: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "total": str(self.total)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlacedOrder:
        return cls(id=int(data["id"]), number=int(data["number"]), total=Decimal(str(data["total"])))


@dataclass(frozen=True)
class SandboxTurn:
    """The answer to one sandbox message; `order` is set only on the turn that placed it."""

    replies: tuple[BotReply, ...]
    order: PlacedOrder | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "replies": [reply.to_json() for reply in self.replies],
            "order": self.order.to_json() if self.order else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SandboxTurn:
        order = data.get("order")
        return cls(
            replies=tuple(BotReply.from_json(reply) for reply in data["replies"]),
            order=PlacedOrder.from_json(order) if order else None,
        )
