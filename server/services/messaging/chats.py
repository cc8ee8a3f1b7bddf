"""Conversations for people: the chat list, a transcript, takeover, release and a person's reply.

A person's reply goes through the same outbox as the bot's (queued in order after whatever the
bot queued for that customer, sent once): free text while the customer's 24-hour window is open;
outside it WhatsApp allows only an approved template, so the reply goes out as the tenant's
hand-off template (business rules `handoff_template`, `handoff_template_language`) with the
text as its one variable, and the conversation and the message say so (`reply_mode`,
`template`); with no such template it is refused. Replying takes the chat over, as a person
typing in a chat the bot also answers would confuse the customer. Reading a chat is never a
side effect of opening it: `mark_read` is its own call. Takeover, release and every human
message are in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Conversation, Customer, InboxEvent, Order, OutboxMessage
from comandia.server.providers.base import Template
from comandia.server.services import audit
from comandia.server.services.messaging import changes, chatlog, media
from comandia.server.services.messaging.outbox import queue_messages
from comandia.server.services.messaging.payloads import OutboxPayload
from comandia.server.services.messaging.window import FREE_FORM_WINDOW, handoff_template, window_open
from comandia.server.services.orders.search import order_summaries
from comandia.server.services.pages import clamp_limit, decode_cursor, encode_cursor
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.shared.domain.errors import Conflict, NotFound
from comandia.shared.domain.messages import Inbound
from comandia.shared.domain.send_failures import send_failure_text
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import DEFAULT_LANGUAGE, reason_in
from comandia.shared.schemas.conversations import (
    MAX_TRANSCRIPT,
    ConversationDetail,
    ConversationPage,
    ConversationSummary,
    MediaEntry,
    TranscriptMessage,
)
from comandia.shared.schemas.orders import OrderSummary
from comandia.shared.schemas.sandbox import BotReply, ChatButton, ChatRow, ChatSection

ORDERS_SHOWN = 10
_SORT = "-last_message_at"


class ChatService:
    """What managers do with their tenant's WhatsApp conversations.

    Args:
        databases: the appliance's databases.
        on_queued: told the tenant id after a person's reply was queued (wakes the outbox sender).
        clock: the current instant (tests inject their own).
        contexts: the tenants' settings (the hand-off template); None: no tenant has one.
    """

    def __init__(
        self,
        databases: Databases,
        on_queued: Callable[[str], None] = lambda tenant_id: None,
        clock: Callable[[], dt.datetime] = utcnow,
        contexts: TenantContexts | None = None,
    ) -> None:
        self._db = databases
        self._on_queued = on_queued
        self._clock = clock
        self._contexts = contexts

    def list(
        self, tenant_id: str, limit: int | None = None, cursor: str | None = None, state: str | None = None
    ) -> ConversationPage:
        """Chats, newest message first, in keyset pages; `state` keeps only bot, waiting or human ones.

        Raises:
            ValidationFailed: a malformed cursor.
        """
        size = clamp_limit(limit)
        query = sa.select(Conversation).order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        if state:
            query = query.where(Conversation.state == state)
        if cursor:
            key, row_id = decode_cursor(cursor, _SORT)
            at = dt.datetime.fromisoformat(str(key))
            query = query.where(sa.tuple_(Conversation.last_message_at, Conversation.id) < (at, row_id))
        with self._db.tenant_session(tenant_id) as session:
            rows = list(session.scalars(query.limit(size + 1)))
        more, rows = len(rows) > size, rows[:size]
        after = encode_cursor(_SORT, rows[-1].last_message_at.isoformat(), rows[-1].id) if more else None
        return ConversationPage(items=tuple(summary(r) for r in rows), next_cursor=after)

    def get(self, tenant_id: str, public_id: str, language: str = DEFAULT_LANGUAGE) -> ConversationDetail:
        """One chat with its newest messages and the customer's orders (reading it changes nothing:
        see `mark_read`). `template` is the one a reply now would go out as, None when none
        is set. A message's failure reads in `language`: ours are catalog texts, a provider's
        refusal or failed delivery becomes what failed and what to do, with its code.

        Raises:
            NotFound: no such conversation in this tenant.
        """
        now = self._clock()
        template = self._template(tenant_id, "")
        with self._db.tenant_session(tenant_id) as session:
            row = _access(session, public_id)
            messages, more = _transcript(session, row)
            messages = tuple(_readable_failure(m, language) for m in messages)
            orders = _orders(session, row)
            closes = row.last_inbound_at + FREE_FORM_WINDOW if row.last_inbound_at else None
            open_ = window_open(row.last_inbound_at, now)
            return ConversationDetail(
                conversation=summary(row),
                messages=messages,
                more_messages=more,
                orders=orders,
                window_open=open_,
                window_closes_at=closes,
                reply_mode="text" if open_ else "template",
                template=template.name if template is not None else None,
            )

    def mark_read(self, tenant_id: str, public_id: str) -> ConversationSummary:
        """A person has read the chat (the console calls it when the chat is shown): no unread left.

        Raises:
            NotFound: no such conversation in this tenant.
        """
        with self._db.tenant_session(tenant_id) as session:
            row = _access(session, public_id, lock=True)
            if row.unread:
                row.unread = 0
                changes.append(session, "conversation", row.public_id, "read")
            result = summary(row)
            session.commit()
        return result

    def send(self, tenant_id: str, public_id: str, text: str, actor: str) -> TranscriptMessage:
        """Queue a person's reply (and take the chat over if the bot had it).

        Inside the customer's 24-hour window it goes out as text (and as the hand-off template
        if the provider answers that the window closed meanwhile); outside it, as the template.

        Raises:
            NotFound: no such conversation.
            Conflict: the window is closed and the tenant has no hand-off template.
        """
        now = self._clock()
        template = self._template(tenant_id, text)
        with self._db.tenant_session(tenant_id) as session:
            row = _access(session, public_id, lock=True)
            payload = OutboxPayload("human", text, text, fallback_template=template)
            if not window_open(row.last_inbound_at, now):
                if template is None:
                    raise Conflict(
                        "the customer wrote more than 24 hours ago: WhatsApp allows only an approved "
                        "template now, and the business rule handoff_template is not set"
                    )
                payload = payload.as_template()
            queue_messages(session, row.number_id, row.customer_key, [payload], author=actor, conversation=row, at=now)
            took_over = chatlog.set_state(row, "human", now, reason="manager", agent=actor)
            row.unread, row.agent_active_at = 0, now
            sent = session.scalar(
                sa.select(OutboxMessage)
                .where(OutboxMessage.number_id == row.number_id, OutboxMessage.customer_wa_id == row.customer_key)
                .order_by(OutboxMessage.seq.desc())
                .limit(1)
            )
            assert sent is not None
            message, sent_id = _outbound(sent), sent.id
            chatlog.announce(session, row, took_over)
            session.commit()
        self._on_queued(tenant_id)
        with self._db.control_session() as control:
            if took_over:
                audit.record(control, actor, "conversation.takeover", tenant_id, conversation=public_id)
            audit.record(
                control,
                actor,
                "conversation.message",
                tenant_id,
                conversation=public_id,
                outbox_id=sent_id,
                characters=len(text),
            )
            control.commit()
        return message

    def _template(self, tenant_id: str, text: str) -> Template | None:
        """The tenant's hand-off template carrying `text`; None when the tenant has none."""
        if self._contexts is None:
            return None
        return handoff_template(self._contexts.get(tenant_id), text)

    def takeover(self, tenant_id: str, public_id: str, actor: str) -> ConversationSummary:
        """A person has the chat: the bot stays silent for this customer until released.

        Raises:
            NotFound: no such conversation.
        """
        return self._move(tenant_id, public_id, actor, "human", "conversation.takeover")

    def release(self, tenant_id: str, public_id: str, actor: str) -> ConversationSummary:
        """Give the chat back to the bot. Raises: NotFound."""
        return self._move(tenant_id, public_id, actor, "bot", "conversation.release")

    def _move(self, tenant_id: str, public_id: str, actor: str, state: str, action: str) -> ConversationSummary:
        now = self._clock()
        with self._db.tenant_session(tenant_id) as session:
            row = _access(session, public_id, lock=True)
            changed = chatlog.set_state(
                row,
                state,
                now,
                reason="manager" if state == "human" else None,
                agent=actor if state == "human" else None,
            )
            if state == "human":
                row.unread = 0
            if changed:
                chatlog.announce(session, row, changed)
            result = summary(row)
            session.commit()
        with self._db.control_session() as control:
            audit.record(control, actor, action, tenant_id, conversation=public_id)
            control.commit()
        return result


def summary(row: Conversation) -> ConversationSummary:
    return ConversationSummary(
        id=row.public_id,
        number_id=row.number_id,
        customer_phone=row.customer_phone,
        customer_name=row.customer_name,
        state=row.state,
        state_changed_at=row.state_changed_at,
        handoff_reason=row.handoff_reason,
        agent=row.agent,
        last_message_at=row.last_message_at,
        last_message_text=row.last_message_text,
        last_direction=row.last_direction,
        unread=row.unread,
    )


def _access(session: Session, public_id: str, lock: bool = False) -> Conversation:
    query = sa.select(Conversation).where(Conversation.public_id == public_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound("conversation {id} does not exist", id=public_id)
    return row


def _transcript(session: Session, row: Conversation) -> tuple[tuple[TranscriptMessage, ...], bool]:
    """The newest `MAX_TRANSCRIPT` messages of both sides, oldest first; and whether there are more."""
    inbound = session.execute(
        # only the message the bot read: the provider's raw JSON beside it is most of the row's bytes
        sa.select(
            InboxEvent.id, InboxEvent.kind, InboxEvent.received_at, InboxEvent.payload["inbound"].label("inbound")
        )
        .where(InboxEvent.number_id == row.number_id, InboxEvent.customer_key == row.customer_key)
        .order_by(InboxEvent.id.desc())
        .limit(MAX_TRANSCRIPT + 1)
    ).all()
    outbound = list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.number_id == row.number_id, OutboxMessage.customer_wa_id == row.customer_key)
            .order_by(OutboxMessage.seq.desc())
            .limit(MAX_TRANSCRIPT + 1)
        )
    )
    files = media.entries(session, [r.id for r in inbound if r.kind == "media"])
    messages = [_inbound(r.id, r.kind, r.received_at, r.inbound, tuple(files.get(r.id, ()))) for r in inbound]
    messages += [_outbound(r) for r in outbound]
    messages.sort(key=lambda m: (m.at, m.direction == "out", m.id))
    return tuple(messages[-MAX_TRANSCRIPT:]), len(messages) > MAX_TRANSCRIPT


def _inbound(
    row_id: int, kind: str, at: dt.datetime, stored: object, files: tuple[MediaEntry, ...] = ()
) -> TranscriptMessage:
    """A customer's message from its inbox row's stored `Inbound` (`InboxPayload.inbound`)."""
    latitude = longitude = map_url = None
    try:
        inbound = msgspec.convert(stored, Inbound)
        text = inbound.text or ""
        if inbound.kind == "location" and inbound.latitude is not None and inbound.longitude is not None:
            latitude, longitude = inbound.latitude, inbound.longitude
            where = f"{latitude:.6f}/{longitude:.6f}"
            map_url = f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=17/{where}"
            if not text:
                text = " · ".join(
                    part
                    for part in (inbound.location_name, inbound.location_address, f"{latitude:.6f}, {longitude:.6f}")
                    if part
                )
    except Exception:  # noqa: BLE001 -- a row written by an older version must not hide the whole chat
        text = ""
    return TranscriptMessage(
        id=f"in-{row_id}",
        direction="in",
        at=at,
        kind=kind,
        text=text,
        media=files,
        latitude=latitude,
        longitude=longitude,
        map_url=map_url,
    )


def _outbound(row: OutboxMessage) -> TranscriptMessage:
    payload = OutboxPayload.read(row.payload)
    reply = None
    if payload.buttons or payload.list_sections:
        reply = BotReply(
            body=payload.body,
            buttons=tuple(ChatButton(id=i, title=t) for i, t in payload.buttons),
            list_button=payload.list_button,
            text=payload.text,
            sections=tuple(
                ChatSection(title=title, rows=tuple(ChatRow(id=i, title=t, description=d) for i, t, d in rows))
                for title, rows in payload.list_sections
            ),
        )
    return TranscriptMessage(
        id=f"out-{row.id}",
        direction="out",
        at=row.created_at,
        kind=payload.kind,
        text=payload.body,
        author=row.author,
        reply=reply,
        template=payload.template.name if payload.template else None,
        delivery=row.state,
        status=row.status,
        error=row.last_error,
        error_code=row.error_code,
        resend_of=f"out-{payload.resend_of}" if payload.resend_of else None,
        resent_as=f"out-{payload.resent_as}" if payload.resent_as else None,
    )


def _readable_failure(message: TranscriptMessage, language: str) -> TranscriptMessage:
    """`message` with its failure said for a manager: what failed and what to do, the provider's
    code kept (`send_failure_text`); a message that did not fail keeps what it has. A file that
    could not be downloaded says why in `language` (a catalog text, `providers.media`)."""
    if any(entry.error for entry in message.media):
        message = msgspec.structs.replace(
            message,
            media=tuple(
                msgspec.structs.replace(entry, error=reason_in(language, entry.error)) if entry.error else entry
                for entry in message.media
            ),
        )
    failed = message.delivery == "failed" or message.status == "failed"
    if failed:
        return msgspec.structs.replace(message, error=send_failure_text(language, message.error_code, message.error))
    if message.error:
        return msgspec.structs.replace(message, error=reason_in(language, message.error))
    return message


def _orders(session: Session, row: Conversation) -> tuple[OrderSummary, ...]:
    """The customer's latest orders, found by wa_id or phone (a chat may predate any order)."""
    clauses = [Customer.wa_id == row.customer_key]
    if row.customer_phone:
        clauses.append(Customer.phone == row.customer_phone)
    ids = list(session.scalars(sa.select(Customer.id).where(sa.or_(*clauses))))
    if not ids:
        return ()
    orders = session.scalars(
        sa.select(Order)
        .where(Order.customer_id.in_(ids))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(ORDERS_SHOWN)
    )
    return order_summaries(session, list(orders))
