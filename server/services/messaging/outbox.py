"""The outbox: replies are queued in the tenant's database, then sent once, in order, with retries.

Never twice (WHATSAPP.md "never send twice"): a row is marked `sending` in a committed
transaction *before* the provider is called. If the process dies during the call, nobody knows
whether the provider accepted the message; Meta's Cloud API has no idempotency key, so a resend
could deliver it twice. Such a row, found still `sending` after `stale_after`, is marked failed
with "outcome unknown after crash" rather than resent: a customer missing one bot message can ask
again, a customer charged or confirmed twice cannot be undone. Rows of one customer on one number
go out in `seq` order: a row is claimed only when no earlier row of that customer is queued or
sending. Transient errors are retried with exponential backoff and full jitter; permanent ones
are recorded with the provider's code; an `auth` error pauses the number and holds its messages.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, aliased

from comandia.server.db.control_models import WhatsAppNumber
from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Conversation, MessageStatus, OutboxMessage
from comandia.server.providers.base import STATUS_RANK, SendError
from comandia.server.services.messaging import chatlog
from comandia.server.services.messaging.directory import NumberDirectory
from comandia.server.services.messaging.pauses import credentials_refused
from comandia.server.services.messaging.payloads import OutboxPayload
from comandia.shared.domain.errors import NotFound, Unavailable
from comandia.shared.domain.times import utcnow
from comandia.shared.domain.whatsapp import NumberState, OutboxState
from comandia.shared.i18n import N_

log = logging.getLogger(__name__)

CRASH_REASON = N_("outcome unknown after crash")
NUMBER_REMOVED = N_("the WhatsApp number was removed")
RECORD_RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 4.0)
"""Seconds between tries to record a send the provider accepted while the database is away."""
WINDOW_CLOSED_CODES = frozenset({131047, 63016})
"""Meta/360dialog and Twilio: the customer's 24-hour window is closed; only a template may go out."""
AUTH_HOLD = dt.timedelta(minutes=5)


def queue_messages(
    session: Session,
    number_id: int,
    customer: str,
    payloads: list[OutboxPayload],
    in_reply_to: int | None = None,
    failed_because: str | None = None,
    author: str | None = None,
    conversation: Conversation | None = None,
    *,
    at: dt.datetime,
) -> int:
    """Add messages for one customer in the caller's transaction; returns how many were added.

    The conversation row is locked first (`chatlog.lock`, unless the caller passes the one it
    holds), then the (number, customer) pair, so that two writers (the inbox worker, a manager's
    status change or reply) never take the same `seq` and never wait on each other. `failed_because`
    records messages that must not be sent (e.g. outside the 24-hour window) as failed, with why;
    `author` names the person who wrote them (None: the bot or a notice). `at` is the caller's
    clock: the messages are written then and due then (a demo's chats keep their own moments).
    """
    if not payloads:
        return 0
    row = conversation or chatlog.lock(session, number_id, customer)
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"outbox:{number_id}:{customer}"))))
    last = session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(OutboxMessage.seq), 0)).where(
            OutboxMessage.number_id == number_id, OutboxMessage.customer_wa_id == customer
        )
    )
    rows = [
        {
            "number_id": number_id,
            "customer_wa_id": customer,
            "seq": int(last or 0) + i + 1,
            "part": i,
            "payload": payload.stored(),
            "in_reply_to": in_reply_to,
            "author": author,
            "created_at": at,
            "next_attempt_at": at,
            **({"state": OutboxState.FAILED, "last_error": failed_because} if failed_because else {}),
        }
        for i, payload in enumerate(payloads)
    ]
    result = session.execute(
        pg_insert(OutboxMessage).values(rows).on_conflict_do_nothing(index_elements=["in_reply_to", "part"])
    )
    added = int(result.rowcount)  # type: ignore[attr-defined]
    if added:
        chatlog.record_outbound(row, at, payloads[-1].body)
    return added


class OutboxSender:
    """Sends due outbox rows of a tenant through each number's provider.

    Args:
        databases: the appliance's databases.
        directory: numbers and their provider clients.
        clock: the current instant (tests inject their own).
        backoff_base / backoff_cap: seconds of the first retry delay and of the longest one.
        max_attempts: a transient failure this many times makes the row failed.
        stale_after: a `sending` row older than this is taken as a crash casualty.
        jitter: a number in [0, 1) (tests inject a fixed one).
        on_settled: told the tenant id after a pass sent or failed messages (the summary's message figures).
    """

    def __init__(
        self,
        databases: Databases,
        directory: NumberDirectory,
        clock: Callable[[], dt.datetime] = utcnow,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        max_attempts: int = 12,
        stale_after: dt.timedelta = dt.timedelta(seconds=60),
        jitter: Callable[[], float] = random.random,
        on_settled: Callable[[str], None] = lambda tenant_id: None,
    ) -> None:
        self._db = databases
        self._directory = directory
        self._clock = clock
        self._base = backoff_base
        self._cap = backoff_cap
        self._max_attempts = max_attempts
        self._stale_after = stale_after
        self._jitter = jitter
        self._on_settled = on_settled

    def send_due(self, tenant_id: str, limit: int = 50) -> int:
        """Send up to `limit` due messages of the tenant; returns how many were attempted."""
        attempted = 0
        while attempted < limit:
            claimed = self._claim(tenant_id)
            if claimed is None:
                break
            self._send(tenant_id, *claimed)
            attempted += 1
        if attempted:
            self._on_settled(tenant_id)
        return attempted

    def recover_stale(self, tenant_id: str) -> int:
        """Mark rows left `sending` by a crashed sender as failed (never resent); returns how many."""
        cutoff = self._clock() - self._stale_after
        with self._db.tenant_session(tenant_id) as session:
            result = session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.claimed_at < cutoff)
                .values(state=OutboxState.FAILED, last_error=CRASH_REASON)
            )
            session.commit()
        count = int(result.rowcount)  # type: ignore[attr-defined]
        if count:
            log.warning("tenant %s: %d message(s) marked failed: %s", tenant_id, count, CRASH_REASON)
            self._on_settled(tenant_id)
        return count

    def _claim(self, tenant_id: str) -> tuple[int, int, str, OutboxPayload, int] | None:
        now = self._clock()
        earlier = aliased(OutboxMessage)
        blocked = sa.exists().where(
            earlier.number_id == OutboxMessage.number_id,
            earlier.customer_wa_id == OutboxMessage.customer_wa_id,
            earlier.seq < OutboxMessage.seq,
            earlier.state.in_((OutboxState.QUEUED, OutboxState.SENDING)),
        )
        with self._db.tenant_session(tenant_id) as session:
            row = session.scalar(
                sa.select(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.QUEUED, OutboxMessage.next_attempt_at <= now, ~blocked)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(1)
                .with_for_update(skip_locked=True, of=OutboxMessage)
            )
            if row is None:
                return None
            row.state, row.claimed_at, row.attempts = OutboxState.SENDING, now, row.attempts + 1
            claimed = (row.id, row.number_id, row.customer_wa_id, OutboxPayload.read(row.payload), row.attempts)
            session.commit()  # committed before the provider is called: see the module docstring
        return claimed

    def _send(
        self, tenant_id: str, row_id: int, number_id: int, customer: str, payload: OutboxPayload, attempts: int
    ) -> None:
        try:
            provider = self._directory.provider(number_id)
        except NotFound:
            self._finish(tenant_id, row_id, state=OutboxState.FAILED, last_error=NUMBER_REMOVED)
            return
        message = payload.to(customer)
        try:
            result = provider.send(message)
        except SendError as error:
            self._failed(tenant_id, row_id, number_id, attempts, error)
            return
        # The provider has the message now: only a database outage can stop us recording that,
        # and giving up would leave the row to be marked "outcome unknown" although we know it.
        for pause in (*RECORD_RETRY_PAUSES, None):
            try:
                self._sent(tenant_id, row_id, result.provider_message_id)
                return
            except Unavailable:
                if pause is None:
                    log.error(
                        "tenant %s: outbox %d was sent as %s but could not be recorded",
                        tenant_id,
                        row_id,
                        result.provider_message_id,
                    )
                    raise
                time.sleep(pause)

    def _sent(self, tenant_id: str, row_id: int, wamid: str) -> None:
        with self._db.tenant_session(tenant_id) as session:
            # Statuses may have arrived before we stored the wamid: take the highest one seen.
            known = session.execute(
                sa.select(MessageStatus.status, MessageStatus.error_code).where(MessageStatus.wamid == wamid)
            ).all()
            best = max(known, key=lambda s: STATUS_RANK.get(s[0], -1), default=None)
            session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .values(
                    state=OutboxState.SENT,
                    provider_message_id=wamid,
                    sent_at=self._clock(),
                    last_error=None,
                    status=best[0] if best else None,
                    error_code=best[1] if best else None,
                )
            )
            session.commit()

    def _failed(self, tenant_id: str, row_id: int, number_id: int, attempts: int, error: SendError) -> None:
        now = self._clock()
        if error.kind == "auth":
            self._pause_number(number_id, error)
            # Held, not failed: once the token is replaced the messages can still go out.
            self._finish(
                tenant_id,
                row_id,
                state=OutboxState.QUEUED,
                last_error=error.detail,
                error_code=error.code,
                next_attempt_at=now + AUTH_HOLD,
                attempts=attempts - 1,
            )
            return
        if error.code in WINDOW_CLOSED_CODES and self._switch_to_template(tenant_id, row_id):
            return
        cap = min(self._max_attempts, error.max_attempts or self._max_attempts)
        if error.kind == "transient" and attempts < cap:
            delay = min(self._cap, self._base * 2 ** (attempts - 1)) * (0.5 + self._jitter() / 2)
            delay = max(delay, error.retry_after or 0.0)
            self._finish(
                tenant_id,
                row_id,
                state=OutboxState.QUEUED,
                last_error=error.detail,
                error_code=error.code,
                next_attempt_at=now + dt.timedelta(seconds=delay),
            )
            return
        log.info("tenant %s: outbox %d failed (code %s)", tenant_id, row_id, error.code)
        self._finish(tenant_id, row_id, state=OutboxState.FAILED, last_error=error.detail, error_code=error.code)

    def _switch_to_template(self, tenant_id: str, row_id: int) -> bool:
        """The window closed before this free-form message went out: send its template instead, if it has one."""
        with self._db.tenant_session(tenant_id) as session:
            row = session.get(OutboxMessage, row_id, with_for_update=True)
            payload = OutboxPayload.read(row.payload) if row is not None else None
            if row is None or payload is None or payload.fallback_template is None:
                return False
            row.payload, row.state = payload.as_template().stored(), OutboxState.QUEUED
            row.next_attempt_at = self._clock()
            session.commit()
        log.info("tenant %s: outbox %d outside the 24-hour window, retried as its template", tenant_id, row_id)
        return True

    def _finish(self, tenant_id: str, row_id: int, **values: Any) -> None:
        with self._db.tenant_session(tenant_id) as session:
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
            session.commit()

    def _pause_number(self, number_id: int, error: SendError) -> None:
        reason = credentials_refused(error.code)  # read back as a code and a sentence (`pauses`)
        with self._db.control_session() as session:
            session.execute(
                sa.update(WhatsAppNumber)
                .where(WhatsAppNumber.id == number_id, WhatsAppNumber.state == NumberState.ACTIVE)
                .values(state=NumberState.PAUSED, pause_reason=reason)
            )
            session.commit()
        self._directory.invalidate()
        log.error("number %s paused: %s", number_id, reason)
