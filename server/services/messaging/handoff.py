"""When the bot hands a chat to a person, and when a person's chat goes back to the bot.

The bot stays silent for a customer whose chat a person has (`human`) or who waits for one
(`waiting`), until a manager releases it or nobody acted on it for the tenant's
`handoff_idle_minutes`. The bot hands over by itself when the customer asks for a person, when it
failed to understand twice in a row, and for a message it cannot read (an image or voice note
without a caption); it tells the customer that a person will answer.

The request for a person is the chat brain's typed hand-off flag (`Outcome.handoff`, carried to
the inbox as `Answer.handoff`); the bot's answer already says a person will write. A failure to
understand is its typed `Outcome.understood` (`Answer.understood`), never read from the reply's text. While the
business is closed, every hand-off notice says so and when it opens (`hours.handoff_text`).
"""

from __future__ import annotations

import datetime as dt

from comandia.server.chat import hours
from comandia.server.chat.model import Reply, TenantContext, text_reply
from comandia.server.chat.texts import Texts
from comandia.server.db.tenant_models import Conversation
from comandia.shared.domain.messages import Inbound

DEFAULT_IDLE_MINUTES = 30
"""Used when no idle time is given (the tenant's `rules.handoff_idle_minutes` is, by the wiring)."""
MISUNDERSTOOD_LIMIT = 2
"""Answers in a row the chat brain flagged as not understood (`Answer.understood`) that hand over."""


def unreadable(message: Inbound) -> bool:
    """A message the bot cannot read: media without a caption (images, voice notes), or unknown types."""
    return message.kind in ("media", "other") and not message.text.strip()


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
