"""The business is told of each new order: a short ticket to every number and address of its
`order_alerts`, besides the console.

`OrderAlerts` is an `OrderService` on_change hook: inside the order's transaction it adds one
`order_alerts` row per recipient (unique per order and recipient, so never twice), and wakes the
alert job once the order commits. It queues nothing itself: handing a WhatsApp alert to the outbox
locks the recipient's conversation, which the inbox worker may hold while this very order is
placed (an owner trying the bot from the alert phone), so that step is the job's, in its own
transaction.

`OrderAlertService.send_due` is that job's pass for one tenant:
- a WhatsApp alert is handed to the outbox (one transaction: the outbox row is queued and the
  alert row points at it), from the number the customer wrote to, else the tenant's oldest active
  number; the outbox sends it once, retries transient failures and records permanent ones.
  WhatsApp takes free text only within 24 hours of the alert phone's own last message to that
  number (`window.py`): inside, the ticket goes as text, with the tenant's hand-off template
  riding along for when the provider says the window closed meanwhile; outside, as that template
  with the ticket on one line as its variable; with no template the alert fails at once with the
  reason (`NO_TEMPLATE`), which the console shows;
- an e-mail alert is claimed (`sending`, committed before the SMTP server is called, as the outbox
  does), sent through the appliance's SMTP client, and recorded sent, queued again with backoff
  (transient) or failed with the server's answer. A row left `sending` by a crash is marked failed,
  never resent.
Every failure is logged and kept on its row, which `recent` lists for the console
(`GET /tenants/{id}/order-alerts`).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from comandia.server.db.control_models import Tenant
from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Customer, InboxEvent, Order, OrderAlert, OutboxMessage
from comandia.server.providers.mail import MailError, SmtpMailer
from comandia.server.services.messaging.directory import NumberDirectory
from comandia.server.services.messaging.outbox import queue_messages
from comandia.server.services.messaging.payloads import OutboxPayload
from comandia.server.services.messaging.tickets import order_ticket
from comandia.server.services.messaging.window import handoff_template, window_open
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.shared.domain.send_failures import send_failure_text
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import DEFAULT_LANGUAGE, N_, reason_in
from comandia.shared.schemas.orders import OrderDetail
from comandia.shared.schemas.rules import AlertChannel, AlertState, OrderAlertInfo

log = logging.getLogger(__name__)

# Why an alert failed is kept on its row in English (the log says the same) and translated when
# it is read: each reason of ours is a catalog text (`reason_in`).
CRASH_REASON = N_("outcome unknown after crash")
NO_NUMBER = N_("the business has no active WhatsApp number to send the alert from")
NO_TEMPLATE = N_(
    "the alert phone has not written to the business's WhatsApp number in the last 24 hours, "
    "so WhatsApp allows only an approved template, and the business rule handoff_template is not set"
)
SKIPPED_CHANNELS = frozenset({"import"})
"""Orders read from a file are history, not news: nobody is alerted."""
MAX_LISTED = 200


class OrderAlerts:
    """An `OrderService` on_change hook: queues the new order's alerts in its transaction.

    Args:
        contexts: the tenant's `order_alerts`, language, currency and zone.
        on_queued: told the tenant id once the order (and its alerts) committed.
    """

    def __init__(self, contexts: TenantContexts, on_queued: Callable[[str], None] = lambda tenant_id: None) -> None:
        self._contexts = contexts
        self._on_queued = on_queued

    def __call__(self, session: Session, tenant_id: str, before: OrderDetail | None, after: OrderDetail) -> None:
        if before is not None or after.channel in SKIPPED_CHANNELS:
            return
        tenant = self._contexts.get(tenant_id)
        if not tenant.rules.order_alerts:
            return
        subject, body = order_ticket(tenant, after)
        rows = [
            {
                "order_id": after.id,
                "recipient": recipient,
                "channel": "email" if "@" in recipient else "whatsapp",
                "subject": subject,
                "body": body,
            }
            for recipient in tenant.rules.order_alerts
        ]
        session.execute(
            pg_insert(OrderAlert).values(rows).on_conflict_do_nothing(index_elements=["order_id", "recipient"])
        )
        sa.event.listen(session, "after_commit", lambda _session: self._on_queued(tenant_id), once=True)


class OrderAlertService:
    """Sends the queued alerts and lists them.

    Args:
        databases: the appliance's databases.
        directory: the tenant's WhatsApp numbers.
        mailer: the appliance's SMTP client.
        contexts: the tenant's hand-off template (a WhatsApp alert outside the 24-hour window).
        on_handed: told the tenant id after WhatsApp alerts went to the outbox (wakes its sender).
        clock: the current instant (tests inject their own).
        backoff_base / backoff_cap: seconds of the first and the longest e-mail retry delay.
        max_attempts: a transient e-mail failure this many times makes the alert failed.
        stale_after: an e-mail alert `sending` longer than this is a crash casualty.
        jitter: a number in [0, 1) (tests inject a fixed one).
    """

    def __init__(
        self,
        databases: Databases,
        directory: NumberDirectory,
        mailer: SmtpMailer,
        contexts: TenantContexts,
        on_handed: Callable[[str], None] = lambda tenant_id: None,
        clock: Callable[[], dt.datetime] = utcnow,
        backoff_base: float = 30.0,
        backoff_cap: float = 1800.0,
        max_attempts: int = 8,
        stale_after: dt.timedelta = dt.timedelta(minutes=5),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._db = databases
        self._directory = directory
        self._mailer = mailer
        self._contexts = contexts
        self._on_handed = on_handed
        self._clock = clock
        self._base, self._cap, self._max_attempts = backoff_base, backoff_cap, max_attempts
        self._stale_after = stale_after
        self._jitter = jitter

    def tenants_with_alerts(self) -> set[str]:
        """Active tenants whose settings name at least one alert recipient (the job sweeps these)."""
        alerts = Tenant.settings["order_alerts"]
        with self._db.control_session() as session:
            return set(
                session.scalars(
                    sa.select(Tenant.id).where(
                        Tenant.state == "active",
                        sa.func.jsonb_typeof(alerts) == "array",
                        sa.func.jsonb_array_length(alerts) > 0,
                    )
                )
            )

    def send_due(self, tenant_id: str, limit: int = 20) -> int:
        """Hand due WhatsApp alerts to the outbox and send due e-mail alerts; returns how many."""
        handed = self._hand_to_outbox(tenant_id, limit)
        if handed:
            self._on_handed(tenant_id)
        tried: set[int] = set()  # each alert at most once a pass, even one due again at once
        while handed + len(tried) < limit:
            claimed = self._claim_mail(tenant_id, tried)
            if claimed is None:
                break
            tried.add(claimed[0])
            self._mail(tenant_id, *claimed)
        mailed = len(tried)
        return handed + mailed

    def recover_stale(self, tenant_id: str) -> int:
        """Mark e-mail alerts left `sending` by a crash as failed (never resent); returns how many."""
        cutoff = self._clock() - self._stale_after
        with self._db.tenant_session(tenant_id) as session:
            result = session.execute(
                sa.update(OrderAlert)
                .where(OrderAlert.state == "sending", OrderAlert.claimed_at < cutoff)
                .values(state="failed", last_error=CRASH_REASON)
            )
            session.commit()
        count = int(result.rowcount)  # type: ignore[attr-defined]
        if count:
            log.warning("tenant %s: %d order alert(s) marked failed: %s", tenant_id, count, CRASH_REASON)
        return count

    def recent(self, tenant_id: str, limit: int = 50, language: str = DEFAULT_LANGUAGE) -> list[OrderAlertInfo]:
        """The latest alerts, newest first; a WhatsApp alert shows its outbox message's state and error.
        Failure reasons read in `language` (`reason_in`)."""
        limit = max(1, min(limit, MAX_LISTED))
        with self._db.tenant_session(tenant_id) as session:
            rows = session.execute(
                sa.select(
                    OrderAlert,
                    Order.number,
                    OutboxMessage.state,
                    OutboxMessage.last_error,
                    OutboxMessage.sent_at,
                    OutboxMessage.status,
                    OutboxMessage.error_code,
                )
                .join(Order, Order.id == OrderAlert.order_id)
                .outerjoin(OutboxMessage, OutboxMessage.id == OrderAlert.outbox_id)
                .order_by(OrderAlert.id.desc())
                .limit(limit)
            ).all()
        alerts = []
        for alert, number, outbox_state, outbox_error, outbox_sent, delivery, code in rows:
            state, error, sent_at = alert.state, reason_in(language, alert.last_error), alert.sent_at
            if outbox_state is not None:  # a WhatsApp alert: the outbox (and the delivery status) tells
                undelivered = delivery == "failed"
                state = "failed" if undelivered else outbox_state
                error = (
                    send_failure_text(language, code, outbox_error)
                    if state == "failed"
                    else reason_in(language, outbox_error)
                )
                sent_at = outbox_sent
            alerts.append(
                OrderAlertInfo(
                    order_id=alert.order_id,
                    order_number=number,
                    recipient=alert.recipient,
                    channel=cast(AlertChannel, alert.channel),
                    state=cast(AlertState, state),
                    attempts=alert.attempts,
                    last_error=error,
                    created_at=alert.created_at,
                    sent_at=sent_at,
                )
            )
        return alerts

    def _hand_to_outbox(self, tenant_id: str, limit: int) -> int:
        with self._db.tenant_session(tenant_id) as session:
            alerts = session.scalars(
                sa.select(OrderAlert)
                .where(OrderAlert.channel == "whatsapp", OrderAlert.state == "queued")
                .order_by(OrderAlert.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            handed = 0
            for alert in alerts:
                number_id = self._sender_number(session, tenant_id, alert.order_id)
                if number_id is None:
                    alert.state, alert.last_error = "failed", NO_NUMBER
                    log.warning("tenant %s: order alert %d failed: %s", tenant_id, alert.id, NO_NUMBER)
                    continue
                key = alert.recipient.lstrip("+")
                payload = self._payload(session, tenant_id, number_id, key, alert.body)
                if payload is None:
                    alert.state, alert.last_error = "failed", NO_TEMPLATE
                    log.warning("tenant %s: order alert %d failed: %s", tenant_id, alert.id, NO_TEMPLATE)
                    continue
                queue_messages(session, number_id, key, [payload], at=self._clock())
                alert.outbox_id = session.scalar(
                    sa.select(sa.func.max(OutboxMessage.id)).where(
                        OutboxMessage.number_id == number_id, OutboxMessage.customer_wa_id == key
                    )
                )
                alert.state, alert.sent_at, alert.attempts = "sent", self._clock(), 1
                handed += 1
            session.commit()
        return handed

    def _payload(self, session: Session, tenant_id: str, number_id: int, key: str, body: str) -> OutboxPayload | None:
        """The alert as text inside the recipient's window, as the hand-off template outside it;
        None when the window is closed and the tenant has no template."""
        template = handoff_template(self._contexts.get(tenant_id), body)
        payload = OutboxPayload(kind="alert", body=body, text=body, fallback_template=template)
        last = session.scalar(
            sa.select(sa.func.max(InboxEvent.received_at)).where(
                InboxEvent.number_id == number_id, InboxEvent.customer_key == key
            )
        )
        if window_open(last, self._clock()):
            return payload
        return payload.as_template() if template is not None else None

    def _sender_number(self, session: Session, tenant_id: str, order_id: int) -> int | None:
        """The number the order's customer last wrote to, else the tenant's oldest active number."""
        numbers = self._directory.numbers_of(tenant_id)
        customer = session.scalar(
            sa.select(Customer).join(Order, Order.customer_id == Customer.id).where(Order.id == order_id)
        )
        keys = [k for k in (customer.wa_id, customer.phone.lstrip("+")) if k] if customer else []
        last = (
            session.scalar(
                sa.select(InboxEvent.number_id)
                .where(InboxEvent.customer_key.in_(keys))
                .order_by(InboxEvent.id.desc())
                .limit(1)
            )
            if keys
            else None
        )
        usable = {n.info.id for n in numbers}
        if last in usable:
            return last
        return numbers[0].info.id if numbers else None

    def _claim_mail(self, tenant_id: str, tried: set[int]) -> tuple[int, str, str, str, int] | None:
        now = self._clock()
        with self._db.tenant_session(tenant_id) as session:
            alert = session.scalar(
                sa.select(OrderAlert)
                .where(
                    OrderAlert.channel == "email",
                    OrderAlert.state == "queued",
                    OrderAlert.next_attempt_at <= now,
                    OrderAlert.id.not_in(tried),
                )
                .order_by(OrderAlert.next_attempt_at, OrderAlert.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if alert is None:
                return None
            alert.state, alert.claimed_at, alert.attempts = "sending", now, alert.attempts + 1
            claimed = (alert.id, alert.recipient, alert.subject, alert.body, alert.attempts)
            session.commit()  # before the SMTP server is called: a crash never sends it twice
        return claimed

    def _mail(self, tenant_id: str, alert_id: int, recipient: str, subject: str, body: str, attempts: int) -> None:
        try:
            self._mailer.send(recipient, subject, body)
        except MailError as error:
            if not error.permanent and attempts < self._max_attempts:
                delay = min(self._cap, self._base * 2 ** (attempts - 1)) * (0.5 + self._jitter() / 2)
                log.warning(
                    "tenant %s: order alert %d e-mail failed (try %d, again in %.0f s): %s",
                    tenant_id,
                    alert_id,
                    attempts,
                    delay,
                    error.detail,
                )
                self._finish(
                    tenant_id,
                    alert_id,
                    state="queued",
                    last_error=error.detail,
                    next_attempt_at=self._clock() + dt.timedelta(seconds=delay),
                )
                return
            log.error("tenant %s: order alert %d e-mail failed for good: %s", tenant_id, alert_id, error.detail)
            self._finish(tenant_id, alert_id, state="failed", last_error=error.detail)
            return
        self._finish(tenant_id, alert_id, state="sent", sent_at=self._clock(), last_error=None)

    def _finish(self, tenant_id: str, alert_id: int, **values: Any) -> None:
        with self._db.tenant_session(tenant_id) as session:
            session.execute(sa.update(OrderAlert).where(OrderAlert.id == alert_id).values(**values))
            session.commit()
