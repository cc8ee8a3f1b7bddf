"""Tell the customer on WhatsApp when a manager changes their order's status.

`make_status_notifier(...)` returns an `OrderService` on_change hook. It runs inside the order's
transaction, so the notice is queued in the outbox if and only if the status change commits.
The notice goes out on the number the customer last wrote to; a customer who never wrote to us
on WhatsApp (an order typed in the console) is not messaged.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.chat.model import Reply, TenantContext
from comandia.server.db.tenant_models import Customer, InboxEvent
from comandia.server.services.inbox import TenantContexts
from comandia.server.services.number_directory import NumberDirectory
from comandia.server.services.outbox import queue_messages, serialise_reply
from comandia.shared.schemas.orders import OrderDetail

StatusText = Callable[[TenantContext, int, str], Reply]
"""`ConversationService.status_notification(tenant, order_number, new_status) -> Reply`."""


def make_status_notifier(
    directory: NumberDirectory, contexts: TenantContexts, status_text: StatusText,
    on_queued: Callable[[str], None] = lambda tenant_id: None,
) -> Callable[[Session, str, OrderDetail | None, OrderDetail], None]:
    """An `OnChange` hook that queues a status notice for status changes (not creation or edits)."""

    def on_change(session: Session, tenant_id: str, before: OrderDetail | None, after: OrderDetail) -> None:
        if before is None or before.status == after.status:
            return
        customer = session.get(Customer, after.customer_id)
        if customer is None:
            return
        keys = [k for k in (customer.wa_id, customer.phone.lstrip("+")) if k]
        last = session.execute(
            sa.select(InboxEvent.number_id, InboxEvent.customer_key)
            .where(InboxEvent.customer_key.in_(keys)).order_by(InboxEvent.id.desc()).limit(1)).first()
        if last is None:
            return
        number = directory.by_id(last.number_id)
        if number is None or number.tenant_id != tenant_id:
            return
        reply = status_text(contexts.get(tenant_id), after.number, after.status)
        queue_messages(session, last.number_id, last.customer_key, [serialise_reply(reply, kind="status")])
        on_queued(tenant_id)

    return on_change
