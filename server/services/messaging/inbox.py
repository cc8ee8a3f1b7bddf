"""The inbox worker's use case: turn stored inbound messages into queued replies, exactly once.

For each pending row the processor asks the conversation service for replies and, in ONE
transaction, queues them in the outbox (`in_reply_to` = the row) and marks the row processed.
A crash before the commit leaves both undone, so the row is processed again and queues one reply
set; after the commit the row is never taken again. (The conversation service commits its own
effects, such as an order, and is idempotent for a replayed message: see `chat/`.)

Order: a row is taken only when no earlier row of the same customer on the same number is pending,
and rows are locked with SKIP LOCKED, so several workers never reorder one customer's messages.
A message that keeps failing (a bug) is retried `MAX_ATTEMPTS` times, then set aside with its error.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from comandia.server.chat.model import Answer, CustomerRef, Inbound, Reply, TenantContext, text_reply
from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Conversation, InboxEvent, OutboxMessage
from comandia.server.services.messaging import chatlog, handoff, media
from comandia.server.services.messaging.directory import NumberDirectory
from comandia.server.services.messaging.outbox import queue_messages
from comandia.server.services.messaging.payloads import InboxPayload, OutboxPayload
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.shared.domain.errors import Unavailable
from comandia.shared.domain.times import utcnow
from comandia.shared.domain.whatsapp import ProviderName

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
UNAVAILABLE = {
    "es": "Por ahora no estamos atendiendo por WhatsApp. Intenta más tarde, por favor.",
    "en": "We are not taking WhatsApp orders right now. Please try again later.",
}
NOTICE_EVERY = dt.timedelta(days=1)


class Conversations(Protocol):
    """What the inbox needs of `services.conversations.ConversationService`."""

    def answer(
        self, tenant: TenantContext, number_id: str, customer: CustomerRef, message: Inbound, *, test: bool = False
    ) -> Answer: ...


class InboxProcessor:
    """Processes one tenant's pending inbox rows.

    Each message also moves its conversation to the top of the list (`chatlog`), and the bot is
    not asked while a person has the chat or the customer waits for one (`handoff`).

    Args:
        on_queued: told the tenant id after replies were committed (wakes the outbox sender).
        idle_minutes: the tenant's `handoff_idle_minutes` (a chat left that long goes back to the bot).
        on_media: told the tenant id after a message brought files to download (wakes the media worker).
        on_processed: told the tenant id after a pass processed messages (the summary's message figures).
    """

    def __init__(
        self,
        databases: Databases,
        directory: NumberDirectory,
        conversations: Conversations,
        contexts: TenantContexts,
        clock: Callable[[], dt.datetime] = utcnow,
        on_queued: Callable[[str], None] = lambda tenant_id: None,
        idle_minutes: Callable[[str], int] = lambda tenant_id: handoff.DEFAULT_IDLE_MINUTES,
        on_media: Callable[[str], None] = lambda tenant_id: None,
        on_processed: Callable[[str], None] = lambda tenant_id: None,
    ) -> None:
        self._db = databases
        self._directory = directory
        self._conversations = conversations
        self._contexts = contexts
        self._clock = clock
        self._on_queued = on_queued
        self._idle_minutes = idle_minutes
        self._on_media = on_media
        self._on_processed = on_processed

    def process(self, tenant_id: str, limit: int = 100, keep_going: Callable[[], bool] = lambda: True) -> int:
        """Process up to `limit` pending rows, checking `keep_going()` before each; returns how many were taken."""
        done = 0
        while done < limit and keep_going() and self._process_one(tenant_id):
            done += 1
        if done:
            self._on_processed(tenant_id)
        return done

    def _process_one(self, tenant_id: str) -> bool:
        with self._db.tenant_session(tenant_id) as session:
            row = claim_pending(session)
            if row is None:
                return False
            try:
                files = media.record(session, row.id, row.number_id, InboxPayload.read(row.payload).inbound)
                queued = self._reply(session, tenant_id, row)
            except Unavailable:
                raise  # the environment (a database down): leave the row for the next pass
            except Exception as error:  # a bug on one message must not stop the inbox
                session.rollback()
                log.exception("tenant %s: inbox %d failed", tenant_id, row.id)
                self._record_failure(session, row.id, error)
                return True
            row.processed_at, row.attempts, row.error = self._clock(), row.attempts + 1, None
            session.commit()
        if queued:
            self._on_queued(tenant_id)
        if files:
            self._on_media(tenant_id)
        return True

    def _reply(self, session: Session, tenant_id: str, row: InboxEvent) -> int:
        number = self._directory.by_id(row.number_id)
        if number is None:
            row.error = "the WhatsApp number was removed"
            return 0
        payload = InboxPayload.read(row.payload)
        customer = payload.customer.ref()
        conversation = chatlog.lock(
            session, row.number_id, row.customer_key, customer.phone_e164, customer.profile_name
        )
        chatlog.record_inbound(conversation, row.received_at, _preview(payload.inbound))
        if not number.accepting:
            return self._unavailable_notice(session, tenant_id, row, conversation)
        now = self._clock()
        idle = dt.timedelta(minutes=self._idle_minutes(tenant_id))
        if handoff.silenced(conversation, now, idle):
            chatlog.announce(session, conversation, state_changed=False)
            return 0  # a person has the chat, or the customer waits for one: the bot stays silent
        changed = conversation.state != "bot" and chatlog.set_state(conversation, "bot", now)  # idle too long
        tenant = self._contexts.get(tenant_id)
        inbound = payload.inbound
        reason = "unreadable" if handoff.unreadable(inbound) else None
        replies: list[Reply] = []
        if reason is None:
            # A sandbox number's customers are people trying the bot: their orders are test orders.
            test = number.info.provider == ProviderName.SANDBOX
            answer = self._conversations.answer(tenant, str(row.number_id), customer, inbound, test=test)
            replies = list(answer.replies)
            conversation.misunderstood = 0 if answer.understood else conversation.misunderstood + 1
            if answer.handoff:
                reason = "asked"  # the bot's own answer already says a person will write (and if closed)
            elif conversation.misunderstood >= handoff.MISUNDERSTOOD_LIMIT:
                reason = "misunderstood"
        if reason in ("unreadable", "misunderstood"):
            replies = [handoff.notice(tenant, now)]
        queued = queue_messages(
            session,
            row.number_id,
            row.customer_key,
            [OutboxPayload.of(r) for r in replies],
            in_reply_to=row.id,
            conversation=conversation,
            at=now,
        )
        if reason is not None:
            changed = chatlog.set_state(conversation, "waiting", now, reason=reason) or changed
        chatlog.announce(session, conversation, changed)
        return queued

    def _unavailable_notice(self, session: Session, tenant_id: str, row: InboxEvent, conversation: Conversation) -> int:
        since = self._clock() - NOTICE_EVERY
        recent = session.scalar(
            sa.select(OutboxMessage.id)
            .where(
                OutboxMessage.number_id == row.number_id,
                OutboxMessage.customer_wa_id == row.customer_key,
                OutboxMessage.payload["kind"].astext == "unavailable",
                OutboxMessage.created_at > since,
            )
            .limit(1)
        )
        if recent is not None:
            return 0
        locale = self._contexts.get(tenant_id).locale
        notice = OutboxPayload.of(text_reply(UNAVAILABLE.get(locale, UNAVAILABLE["es"])), kind="unavailable")
        return queue_messages(
            session,
            row.number_id,
            row.customer_key,
            [notice],
            in_reply_to=row.id,
            conversation=conversation,
            at=self._clock(),
        )

    def _record_failure(self, session: Session, row_id: int, error: Exception) -> None:
        row = session.get(InboxEvent, row_id, with_for_update=True)
        if row is None:
            return
        row.attempts += 1
        row.error = f"{error.__class__.__name__}: {str(error)[:500]}"
        if row.attempts >= MAX_ATTEMPTS:
            row.processed_at = self._clock()  # set aside: kept with its error, no longer retried
        session.commit()


def claim_pending(session: Session) -> InboxEvent | None:
    """Lock the oldest pending row whose customer has no earlier pending row (SKIP LOCKED)."""
    earlier = aliased(InboxEvent)
    blocked = sa.exists().where(
        earlier.number_id == InboxEvent.number_id,
        earlier.customer_key == InboxEvent.customer_key,
        earlier.id < InboxEvent.id,
        earlier.processed_at.is_(None),
    )
    return session.scalar(
        sa.select(InboxEvent)
        .where(InboxEvent.processed_at.is_(None), ~blocked)
        .order_by(InboxEvent.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=InboxEvent)
    )


def _preview(message: Inbound) -> str:
    """The list's one-line view of a customer's message ("📷" for a picture without a caption)."""
    if message.text:
        return message.text
    return {"location": "📍", "media": "📎", "order": "🛒"}.get(message.kind, message.reply_id or message.kind)
