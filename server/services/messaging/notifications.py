"""Tell the customer on WhatsApp when a manager changes their order's status (not when the customer
cancelled it in the chat: the chat's answer says so).

`StatusNotifier` is an `OrderService` on_change hook. It runs inside the order's
transaction, so the notice is queued in the outbox if and only if the status change commits.
The notice goes out on the number the customer last wrote to; a customer who never wrote to us
on WhatsApp (an order typed in the console) is not messaged, nor is the customer of a test order
(the test chat's: nothing of it went through WhatsApp).

WhatsApp allows free-form messages only within 24 hours of the customer's last message
(WHATSAPP.md rule 6). Past that, the notice goes out as the number's approved status template
({{1}} the order number, {{2}} the status); a number without one records the notice as failed
with the reason, so the manager sees that the customer must be told another way. Inside the
window the template rides along, and the sender switches to it if the provider says the window
closed meanwhile (131047, 63016).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.chat import flow
from comandia.server.chat.model import TenantContext
from comandia.server.db.tenant_models import Customer, InboxEvent
from comandia.server.providers.base import Template
from comandia.server.services.messaging.directory import NumberDirectory, RoutedNumber
from comandia.server.services.messaging.outbox import queue_messages
from comandia.server.services.messaging.payloads import OutboxPayload
from comandia.server.services.messaging.window import template_language, window_open
from comandia.server.services.orders.orders import CHAT_ACTOR
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.shared.domain.orders import TEST_CHANNELS
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import N_
from comandia.shared.schemas.orders import OrderDetail

NO_STATUS_TEMPLATE = N_(
    "outside WhatsApp's 24-hour window and the number has no status template: tell the customer another way"
)
"""The reason a status notice is recorded failed at once (read in the manager's language)."""


class StatusNotifier:
    """An `OrderService` on_change hook: queues a notice for status changes (not creation or edits).

    Args:
        directory: the number the customer last wrote to, and its status template.
        contexts: the tenant's language and wording.
        on_queued: told the tenant id after a notice was queued (wakes the outbox sender).
        clock: the current instant (tests inject their own).
    """

    def __init__(
        self,
        directory: NumberDirectory,
        contexts: TenantContexts,
        on_queued: Callable[[str], None] = lambda tenant_id: None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._directory = directory
        self._contexts = contexts
        self._on_queued = on_queued
        self._clock = clock

    def __call__(self, session: Session, tenant_id: str, before: OrderDetail | None, after: OrderDetail) -> None:
        if before is None or before.status == after.status or after.channel in TEST_CHANNELS:
            return
        if after.history and after.history[-1].actor == CHAT_ACTOR:
            return  # the customer did it in the chat (a cancellation), and the chat already answered
        customer = session.get(Customer, after.customer_id)
        if customer is None:
            return
        keys = [k for k in (customer.wa_id, customer.phone.lstrip("+")) if k]
        last = session.execute(
            sa.select(InboxEvent.number_id, InboxEvent.customer_key, InboxEvent.received_at)
            .where(InboxEvent.customer_key.in_(keys))
            .order_by(InboxEvent.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return
        number = self._directory.by_id(last.number_id)
        if number is None or number.info.tenant_id != tenant_id:
            return
        tenant = self._contexts.get(tenant_id)
        payload = OutboxPayload.of(flow.status_notification(tenant, after.number, after.status), kind="status")
        template = _template(number, tenant, str(after.number), flow.status_label(tenant, after.status))
        open_ = window_open(last.received_at, self._clock())
        failed_because = None
        if open_ and template is not None:
            payload = msgspec.structs.replace(payload, fallback_template=template)
        elif not open_ and template is not None:
            payload = msgspec.structs.replace(payload, template=template)
        elif not open_:
            failed_because = NO_STATUS_TEMPLATE
        queue_messages(
            session, last.number_id, last.customer_key, [payload], failed_because=failed_because, at=self._clock()
        )
        if failed_because is None:
            self._on_queued(tenant_id)


def _template(number: RoutedNumber, tenant: TenantContext, *params: str) -> Template | None:
    info = number.info
    if not info.status_template:
        return None
    return Template(info.status_template, template_language(tenant, info.template_language), params)
