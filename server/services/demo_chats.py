"""Demo conversations: a few customers writing to the demo business on WhatsApp, answered by its bot.

The demo business gets a sandbox number (its replies are kept in memory, never sent), and each
customer message is a Cloud API webhook posted to it: the same ingest, journal, inbox, bot,
hand-off and outbox as a real customer's. So the Conversations page shows what a manager sees on
a real day: a chat that ended in an order (on the board, tagged Test: a sandbox number's orders
are test orders, kept out of the KPIs), one about opening hours, and a customer waiting for a
person (state ``waiting``: the hand-off).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from comandia.server.services.bundle import Services
from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.schemas.numbers import NewNumber

TAP = "tap:"
"""A turn starting so is a button the customer taps, ``tap:<reply id>:<its title>``, not a text."""


@dataclass(frozen=True)
class DemoChat:
    name: str
    turns: tuple[str, ...]
    orders: int = 0
    """How many orders the chat places (the demo counts them with the tenant's orders)."""


TAQUERIA_CHATS = (
    DemoChat("Mariana Ruiz", ("hola", "2 tacos al pastor y una horchata", TAP + "checkout:Finalizar pedido",
                              "Mariana Ruiz", "Calle Durango 154, Col. Roma Norte", "Ciudad de México",
                              TAP + "confirm:Confirmar", "gracias!"), orders=1),
    DemoChat("Fernanda Castillo", ("hola", "¿a qué hora cierran hoy?", "gracias")),
    DemoChat("Roberto Salinas", ("buenas tardes", "¿me puede atender una persona? es para un pedido grande, "
                                 "un evento de 40 personas el sábado")),
)
"""Oldest first: the waiting customer wrote last, so the chat is on top of the list."""


def add_demo_chats(services: Services, tenant_id: str, phone_prefix: str, chats: tuple[DemoChat, ...],
                   tick: Callable[[], None]) -> int:
    """Give the tenant a sandbox number and play `chats` on it; returns the number's id.

    Args:
        tick: moves the services' clock to the present before each message is answered.
    """
    number = services.numbers.add(tenant_id, NewNumber(
        provider=ProviderName.SANDBOX, e164=f"{phone_prefix}{secrets.randbelow(10**7):07d}"), actor="demo")
    for chat in chats:
        wa_id = f"{phone_prefix.lstrip('+')}{secrets.randbelow(10**7):07d}"
        for turn in chat.turns:
            body = cloud_api_message(wa_id, chat.name, turn)
            services.ingest.ingest_cloud_with_secret(ProviderName.SANDBOX, number.id, body, number.webhook_secret)
            if services.journal is not None:
                while services.journal.drain():
                    pass  # what the drain thread does within a second
            tick()
            services.inbox.process(tenant_id)
    tick()
    services.outbox.send_due(tenant_id, limit=100)  # to the sandbox: the replies show as sent
    return number.id


def cloud_api_message(wa_id: str, name: str, turn: str) -> bytes:
    """One customer message as WhatsApp's Cloud API posts it (a text, or a tapped reply button)."""
    message: dict[str, object] = {"type": "text", "text": {"body": turn}}
    if turn.startswith(TAP):
        reply, title = turn.removeprefix(TAP).split(":", 1)
        message = {"type": "interactive", "interactive": {"type": "button_reply",
                                                           "button_reply": {"id": reply, "title": title}}}
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "demo", "phone_number_id": "demo"},
             "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
             "messages": [{"from": wa_id, "id": f"wamid.demo{secrets.token_hex(12)}",
                           "timestamp": str(int(time.time())), **message}]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "demo", "changes": [{"field": "messages", "value": value}]}]}).encode()
