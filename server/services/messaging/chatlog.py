"""The `conversations` rows: each message in or out moves its chat to the top of the list.

Written in the caller's transaction, by the inbox (a customer's message), `outbox.queue_messages`
(anything we send) and the conversation API (takeover, release, a person's reply). Lock order,
everywhere: the conversation row first (`lock`), then the outbox's per-customer advisory lock, so
a person's reply and a status notice for the same customer can never wait on each other.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from comandia.server.db.tenant_models import Conversation
from comandia.server.services.messaging import changes

PREVIEW = 200


def new_public_id() -> str:
    """An opaque conversation id: 16 URL-safe characters, no phone in it."""
    return secrets.token_urlsafe(12)


def lock(
    session: Session, number_id: int, customer_key: str, phone: str | None = None, name: str | None = None
) -> Conversation:
    """The conversation row of (number, customer), locked for the transaction; created when missing."""
    values: dict[str, object] = {
        "public_id": new_public_id(),
        "number_id": number_id,
        "customer_key": customer_key[:64],
        "customer_phone": phone,
    }
    if name:
        values["customer_name"] = name[:120]
    session.execute(
        pg_insert(Conversation).values(**values).on_conflict_do_nothing(index_elements=["number_id", "customer_key"])
    )
    row = session.scalar(
        sa.select(Conversation)
        .where(Conversation.number_id == number_id, Conversation.customer_key == customer_key[:64])
        .with_for_update()
    )
    assert row is not None
    if name and row.customer_name != name[:120]:
        row.customer_name = name[:120]
    if phone and row.customer_phone is None:
        row.customer_phone = phone
    return row


def record_inbound(row: Conversation, at: dt.datetime, preview: str) -> None:
    """The customer wrote: top of the list, one more unread, the 24-hour window restarts."""
    row.last_message_at, row.last_inbound_at = at, at
    row.last_message_text, row.last_direction = preview[:PREVIEW], "in"
    row.unread += 1


def record_outbound(row: Conversation, at: dt.datetime, preview: str) -> None:
    row.last_message_at, row.last_message_text, row.last_direction = at, preview[:PREVIEW], "out"


def set_state(
    row: Conversation, state: str, at: dt.datetime, reason: str | None = None, agent: str | None = None
) -> bool:
    """Move the chat to `state` (bot, waiting, human); returns whether anything changed."""
    if row.state == state and row.agent == agent:
        return False
    row.state, row.state_changed_at, row.handoff_reason, row.agent = state, at, reason, agent
    row.agent_active_at = at if state == "human" else None
    if state == "bot":
        row.misunderstood = 0
    return True


def announce(session: Session, row: Conversation, state_changed: bool) -> None:
    """Tell the changes feed (last, before the commit: see `changes.append`)."""
    changes.append(session, "conversation", row.public_id, row.state if state_changed else "message")
