"""When the bot hands a chat to a person, and when a person's chat goes back to the bot.

The bot stays silent for a customer whose chat a person has (`human`) or who waits for one
(`waiting`), until a manager releases it or nobody acted on it for the tenant's
`handoff_idle_minutes`. The bot hands over by itself when the customer asks for a person, when it
failed to understand twice in a row, and for a message it cannot read (an image or voice note
without a caption); it tells the customer that a person will answer.

The request for a person is the chat brain's typed hand-off flag (`Outcome.handoff`, carried to
the inbox as `Answer.handoff`); the bot's answer already says a person will write. While the
business is closed, every hand-off notice says so and when it opens (`hours.handoff_text`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from comandia.server.chat import hours
from comandia.server.chat.model import Reply, TenantContext, text_reply
from comandia.server.chat.texts import BUILT_IN, Texts
from comandia.server.db.tenant_models import Conversation
from comandia.shared.domain.messages import Inbound

DEFAULT_IDLE_MINUTES = 30
"""Used when no idle time is given (the tenant's `rules.handoff_idle_minutes` is, by the wiring)."""
MISUNDERSTOOD_LIMIT = 2
MISUNDERSTOOD_TEXTS = ("not_understood", "unknown_product", "not_on_menu")
"""The bot's texts that say it did not understand (those with a field are matched around it)."""


def unreadable(message: Inbound) -> bool:
    """A message the bot cannot read: media without a caption (images, voice notes), or unknown types."""
    return message.kind in ("media", "other") and not message.text.strip()


def misunderstood(tenant: TenantContext, replies: list[Reply]) -> bool:
    """Whether the bot answered "I did not understand" or "that is not on our menu" (in its own
    wording or the tenant's): the replies are compared with those texts, the only sign the flow
    gives today."""
    markers = [texts(key, text="\x00").partition("\x00") for texts in _languages(tenant)
               for key in MISUNDERSTOOD_TEXTS if key in BUILT_IN["es"]]
    return any(reply.body.startswith(head) and tail in reply.body
               for reply in replies for head, _, tail in markers if head or tail)


def silenced(row: Conversation, now: dt.datetime, idle: dt.timedelta) -> bool:
    """Whether the bot must stay silent: a person has the chat or the customer waits for one,
    and it has not been idle for `idle` (then the caller gives it back to the bot)."""
    if row.state == "bot":
        return False
    since = row.agent_active_at if row.state == "human" and row.agent_active_at else row.state_changed_at
    return now - since < idle


def notice(tenant: TenantContext, now: dt.datetime | None = None) -> Reply:
    """What the bot tells the customer when it hands the chat over: a person will answer, and
    while the business is closed, that it is and when it opens."""
    return text_reply(hours.handoff_text(Texts(tenant), now))


def _languages(tenant: TenantContext) -> list[Texts]:
    """The bot's texts in each language it may answer in (it follows the customer's language)."""
    return [Texts(dataclasses.replace(tenant, locale=language)) for language in ("es", "en")]
