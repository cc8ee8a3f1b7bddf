"""Demo conversations: a few customers writing to the demo business on WhatsApp, answered by its bot.

The demo business gets a sandbox number (its replies are kept in memory, never sent), and each
customer message is a Cloud API webhook posted to it: the same ingest, journal, inbox, bot,
hand-off and outbox as a real customer's. So the Conversations page shows what a manager sees on
a real day: a chat that ended in an order (on the board, tagged Test: a sandbox number's orders
are test orders, kept out of the KPIs), one about opening hours, and a customer waiting for a
person (state ``waiting``: the hand-off).

The chats happen in the business's latest opening hours before the demo runs (now, when it is
open), one customer after another, each message a little after the one before (`chat_moments`):
each webhook's timestamp says its moment and the bot answers on a clock set to it, so a demo run
at night still has the evening's chats answered as open. The ingest and the outbox stamp their
rows on that clock too, so the Conversations page shows each message at the moment the demo means,
and each reply sent then.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from comandia.server.chat.hours import is_open
from comandia.server.services.bundle import Services
from comandia.shared.domain.times import to_local
from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.schemas.numbers import NewNumber
from comandia.shared.schemas.rules import BusinessRules, OpeningHours

TAP = "tap:"
"""A turn starting so is a button the customer taps, ``tap:<reply id>:<its title>``, not a text."""


@dataclass(frozen=True)
class DemoChat:
    name: str
    turns: tuple[str, ...]
    orders: int = 0
    """How many orders the chat places (the demo counts them with the tenant's orders)."""


TAQUERIA_CHATS = (
    DemoChat(
        "Mariana Ruiz",
        (
            "hola",
            "2 tacos al pastor y una horchata",
            TAP + "checkout:Finalizar pedido",
            "Mariana Ruiz",
            "Calle Durango 154, Col. Roma Norte",
            "Ciudad de México",
            TAP + "confirm:Confirmar",
            "gracias!",
        ),
        orders=1,
    ),
    DemoChat("Fernanda Castillo", ("hola", "¿a qué hora cierran hoy?", "gracias")),
    DemoChat(
        "Roberto Salinas",
        (
            "buenas tardes",
            "¿me puede atender una persona? es para un pedido grande, un evento de 40 personas el sábado",
        ),
    ),
)
"""Oldest first: the waiting customer wrote last, so the chat is on top of the list."""


_LOOK_BACK = dt.timedelta(days=8)
"""How far back `chat_moments` looks for opening hours long enough to hold the chats (a week and a day)."""


def chat_moments(
    chats: Sequence[DemoChat], hours: OpeningHours | None, timezone: str, now: dt.datetime, rng: random.Random
) -> list[list[dt.datetime]]:
    """When each turn of `chats` is written (UTC instants, in `chats`' order): one chat after
    another, 10 to 40 minutes apart, each message 20 to 90 seconds after the one before, the last
    a few minutes before `now`, or before the latest time the business was open long enough to
    hold them all (a demo run at night has the evening's chats)."""
    offsets, back = [], dt.timedelta(minutes=rng.randint(2, 6))
    for chat in reversed(chats):
        turns = []
        for _ in chat.turns:
            turns.append(back)
            back += dt.timedelta(seconds=rng.randint(20, 90))
        offsets.append(turns[::-1])
        back += dt.timedelta(minutes=rng.randint(10, 40))
    offsets.reverse()
    rules = BusinessRules(opening_hours=hours)
    end = now.replace(second=0, microsecond=0)
    while now - end < _LOOK_BACK and not all(
        is_open(rules, to_local(end - offset, timezone)) for turns in offsets for offset in turns
    ):
        end -= dt.timedelta(minutes=10)
    if now - end >= _LOOK_BACK:
        end = now  # hours too short for the chats: they happen now, and the bot says it is closed
    return [[end - offset for offset in turns] for turns in offsets]


def add_demo_chats(
    services: Services,
    tenant_id: str,
    phone_prefix: str,
    chats: Sequence[DemoChat],
    moments: Sequence[Sequence[dt.datetime]],
    set_clock: Callable[[dt.datetime], None],
) -> int:
    """Give the tenant a sandbox number and play `chats` on it; returns the number's id.

    Args:
        moments: when each turn of each chat is written (`chat_moments`).
        set_clock: moves the services' clock to a moment: each message's before it is stored,
            answered and its replies sent (to the sandbox, which keeps them in memory).
    """
    number = services.numbers.add(
        tenant_id,
        NewNumber(provider=ProviderName.SANDBOX, e164=f"{phone_prefix}{secrets.randbelow(10**7):07d}"),
        actor="demo",
    )
    for chat, times in zip(chats, moments, strict=True):
        wa_id = f"{phone_prefix.lstrip('+')}{secrets.randbelow(10**7):07d}"
        for turn, moment in zip(chat.turns, times, strict=True):
            set_clock(moment)
            body = cloud_api_message(wa_id, chat.name, turn, moment)
            services.ingest.ingest_cloud_with_secret(ProviderName.SANDBOX, number.id, body, number.webhook_secret)
            if services.journal is not None:
                while services.journal.drain():
                    pass  # what the drain thread does within a second
            services.inbox.process(tenant_id)
            services.outbox.send_due(tenant_id, limit=100)  # to the sandbox: the replies show as sent
    return number.id


def cloud_api_message(wa_id: str, name: str, turn: str, at: dt.datetime) -> bytes:
    """One customer message as WhatsApp's Cloud API posts it (a text, or a tapped reply button)."""
    message: dict[str, object] = {"type": "text", "text": {"body": turn}}
    if turn.startswith(TAP):
        reply, title = turn.removeprefix(TAP).split(":", 1)
        message = {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": reply, "title": title}},
        }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "demo", "phone_number_id": "demo"},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [
            {
                "from": wa_id,
                "id": f"wamid.demo{secrets.token_hex(12)}",
                "timestamp": str(int(at.timestamp())),
                **message,
            }
        ],
    }
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "demo", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()
