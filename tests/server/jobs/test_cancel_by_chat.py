"""Cancel by chat over a real provider: the order is cancelled, the customer gets one answer (no
status notice besides it), and the managers read why."""

from __future__ import annotations

import sqlalchemy as sa

from comandia.server.db.tenant_models import OutboxMessage
from tests.plugins.messaging import Messaging
from tests.server.jobs.test_chats_end_to_end import CLOUD_SCRIPT, post_step
from tests.server.jobs.test_chats_end_to_end import two_shops as two_shops  # noqa: F401  (the fixture)


def test_a_customer_cancels_over_meta_and_gets_one_answer(messaging: Messaging, two_shops: tuple[str, str]) -> None:
    m = messaging
    tenant_a = two_shops[0]
    sender = "5215500003001"
    for n, step in enumerate([*CLOUD_SCRIPT, ("text", "sabes que mejor cancélalo")]):
        assert post_step(m, "meta-1", sender, n, step) == 200
        m.services.inbox.process(tenant_a)
    [(order_id, number, status, reason)] = m.rows(tenant_a, "SELECT id, number, status, cancel_reason FROM orders")
    assert (status, reason) == ("cancelled", "cancelado por el cliente en el chat")
    with m.runtime.databases.tenant_session(tenant_a) as session:
        rows = session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
        kinds = [row.payload.get("kind") for row in rows]
    assert len(kinds) == 8 and "status" not in kinds, kinds
    m.sender().send_due(tenant_a)
    texts = m.stand_in.sent_texts(sender)
    assert f"cancelé tu pedido *#{number}*" in texts[-1]
    detail = m.services.orders.get(tenant_a, order_id)
    assert (detail.history[-1].actor, detail.history[-1].reason) == ("whatsapp", "cancelado por el cliente en el chat")
