"""Messages the provider took, then reported undelivered because the customer's 24-hour window had
closed (a webhook status `failed` with 131047 or 63016, after the send succeeded), go out again as
the approved template they carry (`OutboxPayload.fallback_template`: a person's reply, a status
notice): once, in order, never twice.

The send-time refusal is the sender's (`OutboxSender`, which swaps the row's payload); this is the
late one. Once: in the transaction that queues the template, the original row loses its fallback
template and records `resent_as`, under the conversation's lock, so another pass, thread or
process finds nothing left to do. In order: one customer's resends are queued in the originals'
order, and a failure waits while an earlier message of that customer carrying a template has no
verdict yet (queued, sending, or sent less than `VERDICT_WAIT` ago without a tick): a burst's
failures arrive one status at a time, not always in order. The resend is a new outbox row at the
end of the customer's queue (`resend_of`), by the same author, so the transcript shows both: the
failed message and the template that replaced it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import OutboxMessage
from comandia.server.services.messaging import chatlog
from comandia.server.services.messaging.outbox import WINDOW_CLOSED_CODES, queue_messages
from comandia.server.services.messaging.payloads import OutboxPayload
from comandia.shared.domain.times import utcnow
from comandia.shared.domain.whatsapp import OutboxState

log = logging.getLogger(__name__)

VERDICT_WAIT = dt.timedelta(minutes=2)
"""How long a later failure waits for an earlier message's own verdict before it is resent."""
CARRIES_TEMPLATE = sa.text("outbox.payload ? 'fallback_template'")
"""Also the predicate of the partial index ix_outbox_window_closed (t0013), with status 'failed'."""
CUSTOMERS_PER_PASS = 100


class WindowClosedResender:
    """Queues the template of each message reported failed because the window had closed.

    Args:
        databases: the appliance's databases.
        on_queued: told the tenant id after templates were queued (wakes the outbox sender).
        clock: the current instant (tests inject their own).
    """

    def __init__(
        self,
        databases: Databases,
        on_queued: Callable[[str], None] = lambda tenant_id: None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._db = databases
        self._on_queued = on_queued
        self._clock = clock

    def resend(self, tenant_id: str) -> int:
        """Queue the templates due in the tenant; returns how many were queued."""
        with self._db.tenant_session(tenant_id) as session:
            customers = session.execute(
                sa.select(OutboxMessage.number_id, OutboxMessage.customer_wa_id)
                .where(_window_closed())
                .distinct()
                .limit(CUSTOMERS_PER_PASS)
            ).all()
        queued = 0
        for number_id, customer in customers:
            with self._db.tenant_session(tenant_id) as session:
                queued += self._resend_customer(session, number_id, customer)
                session.commit()
        if queued:
            log.info("tenant %s: %d message(s) past the 24-hour window resent as their template", tenant_id, queued)
            self._on_queued(tenant_id)
        return queued

    def _resend_customer(self, session: Session, number_id: int, customer: str) -> int:
        conversation = chatlog.lock(session, number_id, customer)  # first, as every outbox writer
        now = self._clock()
        theirs = sa.and_(OutboxMessage.number_id == number_id, OutboxMessage.customer_wa_id == customer)
        first = session.scalar(sa.select(sa.func.min(OutboxMessage.seq)).where(theirs, _window_closed()))
        if first is None:
            return 0  # another pass resent them meanwhile
        pending = session.scalar(
            sa.select(sa.func.min(OutboxMessage.seq)).where(
                theirs, CARRIES_TEMPLATE, OutboxMessage.seq < first, _maybe_failing(now)
            )
        )
        rows = list(
            session.scalars(
                sa.select(OutboxMessage)
                .where(theirs, CARRIES_TEMPLATE, OutboxMessage.seq >= min(first, pending or first))
                .order_by(OutboxMessage.seq)
            )
        )
        queued = 0
        for row in rows:
            if not _window_failed(row):
                if _undecided(row, now):
                    break  # its own failure may still come: what follows it waits
                continue
            payload = OutboxPayload.read(row.payload)
            resend = msgspec.structs.replace(payload.as_template(), resend_of=row.id)
            queue_messages(session, number_id, customer, [resend], author=row.author, conversation=conversation, at=now)
            new_id = session.scalar(
                sa.select(OutboxMessage.id)
                .where(OutboxMessage.number_id == number_id, OutboxMessage.customer_wa_id == customer)
                .order_by(OutboxMessage.seq.desc())
                .limit(1)
            )
            row.payload = msgspec.structs.replace(payload, fallback_template=None, resent_as=new_id).stored()
            queued += 1
        if queued:
            chatlog.announce(session, conversation, state_changed=False)
        return queued


def _window_closed() -> sa.ColumnElement[bool]:
    return sa.and_(
        OutboxMessage.status == "failed", CARRIES_TEMPLATE, OutboxMessage.error_code.in_(sorted(WINDOW_CLOSED_CODES))
    )


def _maybe_failing(now: dt.datetime) -> sa.ColumnElement[bool]:
    """SQL of `_undecided`."""
    return sa.or_(
        OutboxMessage.state.in_((OutboxState.QUEUED, OutboxState.SENDING)),
        sa.and_(
            OutboxMessage.state == OutboxState.SENT,
            sa.func.coalesce(OutboxMessage.status, "sent") == "sent",
            OutboxMessage.sent_at > now - VERDICT_WAIT,
        ),
    )


def _window_failed(row: OutboxMessage) -> bool:
    return row.status == "failed" and row.error_code in WINDOW_CLOSED_CODES


def _undecided(row: OutboxMessage, now: dt.datetime) -> bool:
    """Whether an earlier message may still be reported failed (then it must be resent first)."""
    if row.state in (OutboxState.QUEUED, OutboxState.SENDING):
        return True
    return (
        row.state == OutboxState.SENT
        and row.status in (None, "sent")
        and row.sent_at is not None
        and now - row.sent_at < VERDICT_WAIT
    )
