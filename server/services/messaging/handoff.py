"""When the bot hands a chat to a person, and when a person's chat goes back to the bot.

The bot stays silent for a customer whose chat a person has (`human`) or who waits for one
(`waiting`), until a manager releases it or nobody acted on it for the tenant's
`handoff_idle_minutes`. The bot hands over by itself when the customer asks for a person, when it
failed to understand twice in a row, and for a message it cannot read (an image or voice note
without a caption); it tells the customer that a person will answer.

`asks_for_person` is the one place that recognises the request in words; the chat brain's own
hand-off intent replaces it when the flow reports one.
"""

from __future__ import annotations

import datetime as dt
import re

from comandia.server.chat.model import Reply, TenantContext, fold, text_reply
from comandia.server.chat.texts import BUILT_IN, Texts
from comandia.server.db.tenant_models import Conversation
from comandia.shared.domain.messages import Inbound

DEFAULT_IDLE_MINUTES = 30
"""Used when no idle time is given (the tenant's `rules.handoff_idle_minutes` is, by the wiring)."""
MISUNDERSTOOD_LIMIT = 2
MISUNDERSTOOD_TEXTS = ("not_understood", "unknown_product", "not_on_menu")
"""The bot's texts that say it did not understand (those with a field are matched around it)."""
_PERSON = re.compile(
    r"\b(hablar con (alguien|una persona|un humano|un agente|el encargado|el dueno)|asesor[a]?|humano|"
    r"persona real|agente|operador[a]?|encargad[oa]|atencion (al cliente|personal)|"
    r"agent|human|real person|talk to (someone|a person)|representative)\b")


def asks_for_person(message: Inbound) -> bool:
    """Whether the customer asks for a person ("hablar con alguien", "asesor", "humano", "agent")."""
    return message.kind == "text" and bool(_PERSON.search(fold(message.text)))


def unreadable(message: Inbound) -> bool:
    """A message the bot cannot read: media without a caption (images, voice notes), or unknown types."""
    return message.kind in ("media", "other") and not message.text.strip()


def misunderstood(tenant: TenantContext, replies: list[Reply]) -> bool:
    """Whether the bot answered "I did not understand" or "that is not on our menu" (in its own
    wording or the tenant's): the replies are compared with those texts, the only sign the flow
    gives today."""
    texts = Texts(tenant)
    markers = [texts(key, text="\x00").partition("\x00") for key in MISUNDERSTOOD_TEXTS if key in BUILT_IN["es"]]
    return any(reply.body.startswith(head) and tail in reply.body
               for reply in replies for head, _, tail in markers if head or tail)


def silenced(row: Conversation, now: dt.datetime, idle: dt.timedelta) -> bool:
    """Whether the bot must stay silent: a person has the chat or the customer waits for one,
    and it has not been idle for `idle` (then the caller gives it back to the bot)."""
    if row.state == "bot":
        return False
    since = row.agent_active_at if row.state == "human" and row.agent_active_at else row.state_changed_at
    return now - since < idle


def notice(tenant: TenantContext) -> Reply:
    """What the bot tells the customer when it hands the chat over."""
    return text_reply(Texts(tenant)("handoff"))
