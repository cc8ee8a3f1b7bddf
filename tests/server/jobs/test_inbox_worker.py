"""The inbox worker: one reply set per inbound message, whatever the duplicates and crashes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from comandia.server.chat.model import CustomerRef, Inbound, Reply, TenantContext
from comandia.server.providers.signatures import meta_signature
from comandia.server.services.messaging.inbox import claim_pending
from comandia.server.services.messaging.outbox import queue_messages
from comandia.server.services.messaging.payloads import OutboxPayload
from comandia.shared.domain.times import utcnow
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.messaging import META_APP_SECRET, PNID_1, EchoConversations, Messaging


def meta_text(wamid: str, sender: str, text: str, pnid: str = PNID_1) -> tuple[bytes, dict[str, str]]:
    """A signed one-message Meta webhook."""
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": pnid},
                                "contacts": [{"profile": {"name": "Ana"}, "wa_id": sender}],
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": wamid,
                                        "timestamp": "1750096325",
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    return body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}


def outbox(m: Messaging) -> list[tuple[str, int, str, str]]:
    return [
        tuple(r)
        for r in m.rows(  # type: ignore[misc]
            m.tenant.id, "SELECT customer_wa_id, seq, state, payload->>'body' FROM outbox ORDER BY id"
        )
    ]


def test_ten_duplicates_give_one_inbox_row_and_one_reply(messaging: Messaging) -> None:
    for _ in range(10):
        assert messaging.post_fixture("meta", "messages__text").status_code == 200
    processor = messaging.processor()
    assert processor.process(messaging.tenant.id) == 1
    assert processor.process(messaging.tenant.id) == 0
    assert outbox(messaging) == [("5215512345678", 1, "queued", "eco: hola, quiero 2 tacos")]
    messaging.sender().send_due(messaging.tenant.id)
    assert messaging.stand_in.sent_texts() == ["eco: hola, quiero 2 tacos"]


def test_a_late_retry_after_processing_has_no_effect(messaging: Messaging) -> None:
    messaging.post_fixture("meta", "messages__order")
    messaging.processor().process(messaging.tenant.id)
    messaging.post_fixture("meta", "messages__order")  # Meta retrying days later
    assert messaging.processor().process(messaging.tenant.id) == 0 and len(outbox(messaging)) == 1


def test_an_abandoned_claim_is_processed_again_with_one_reply_set(messaging: Messaging) -> None:
    m = messaging
    m.post_fixture("meta", "messages__text")
    # A worker that claimed the row and queued its reply, then died before committing.
    with m.runtime.databases.tenant_session(m.tenant.id) as session:
        row = claim_pending(session)
        assert row is not None
        queue_messages(
            session,
            row.number_id,
            row.customer_key,
            [OutboxPayload("reply", "x", "x")],
            in_reply_to=row.id,
            at=utcnow(),
        )
        session.rollback()
    assert outbox(m) == []
    assert m.processor().process(m.tenant.id) == 1
    assert [r[3] for r in outbox(m)] == ["eco: hola, quiero 2 tacos"]


def test_a_claimed_row_is_skipped_by_another_worker_until_released(messaging: Messaging) -> None:
    m = messaging
    m.post_fixture("meta", "messages__text")
    with m.runtime.databases.tenant_session(m.tenant.id) as session:
        assert claim_pending(session) is not None
        assert m.processor().process(m.tenant.id) == 0  # locked: SKIP LOCKED passes it by
    assert m.processor().process(m.tenant.id) == 1


def test_one_customers_messages_are_handled_in_order(messaging: Messaging) -> None:
    m = messaging
    for i in range(5):
        m.post("meta", *meta_text(f"wamid.ORDER{i}", "5215500000001", f"m{i}"))
    echo = EchoConversations()
    m.processor(echo).process(m.tenant.id)
    assert [c[2].text for c in echo.calls] == ["m0", "m1", "m2", "m3", "m4"]
    assert [r[1] for r in outbox(m)] == [1, 2, 3, 4, 5]


def test_username_only_customers_get_a_reply_to_their_user_id(messaging: Messaging) -> None:
    messaging.post_fixture("meta", "messages__username_only")
    messaging.processor().process(messaging.tenant.id)
    assert outbox(messaging)[0][0] == "BR.1502576394655843"


def test_a_paused_number_answers_unavailable_at_most_once_a_day(messaging: Messaging) -> None:
    m = messaging
    m.numbers.pause(m.tenant.id, m.meta_1.id, actor="tests")
    echo = EchoConversations()
    for i in range(3):
        m.post("meta", *meta_text(f"wamid.PAUSED{i}", "5215500000002", "hola"))
    m.processor(echo).process(m.tenant.id)
    assert echo.calls == []
    rows = outbox(m)
    assert len(rows) == 1 and rows[0][3].startswith("Por ahora no estamos")
    assert m.rows(m.tenant.id, "SELECT count(*) FROM inbox WHERE processed_at IS NULL") == [(0,)]


def test_an_inactive_tenant_also_gets_the_notice(messaging: Messaging) -> None:
    m = messaging
    m.runtime.tenants.deactivate(m.tenant.id, actor="tests")
    m.directory.invalidate()
    try:
        m.post("meta", *meta_text("wamid.INACTIVE", "5215500000003", "hola"))
        m.processor().process(m.tenant.id)
        assert outbox(m)[0][3].startswith("Por ahora")
    finally:
        m.runtime.tenants.reactivate(m.tenant.id, actor="tests")


def test_a_message_that_keeps_failing_is_set_aside_and_does_not_block_others(messaging: Messaging) -> None:
    class Broken(EchoConversations):
        def handle(self, tenant, number_id, customer, message):  # type: ignore[no-untyped-def]
            if message.text == "boom":
                raise RuntimeError("a bug in the flow")
            return super().handle(tenant, number_id, customer, message)

    m = messaging
    m.post("meta", *meta_text("wamid.BOOM", "5215500000004", "boom"))
    m.post("meta", *meta_text("wamid.AFTER", "5215500000004", "after"))
    m.processor(Broken()).process(m.tenant.id)
    rows = m.rows(
        m.tenant.id,
        "SELECT provider_message_id, attempts, processed_at IS NOT NULL, error IS NOT NULL FROM inbox ORDER BY id",
    )
    assert rows == [("wamid.BOOM", 5, True, True), ("wamid.AFTER", 1, True, False)]
    assert [r[3] for r in outbox(m)] == ["eco: after"]


def test_several_workers_share_tenants_one_worker_per_tenant_and_every_message_once(
    messaging: Messaging, make_tenant: Callable[..., TenantInfo]
) -> None:
    import sqlalchemy as sa

    from comandia.server.jobs.inbox_worker import InboxWorker, TenantClaims
    from tests.plugins.messaging import PNID_2

    m = messaging
    other = make_tenant().id
    with m.runtime.databases.control_session() as session:
        session.execute(
            sa.text("UPDATE whatsapp_numbers SET tenant_id = :t WHERE id = :n"), {"t": other, "n": m.meta_2.id}
        )
        session.commit()
    m.directory.invalidate()
    # Earlier tests' webhooks still in the shared journal go to their own tenants now, unmarked:
    # these workers sweep this test's two tenants only.
    m.deliver_journal()
    m.ingest.dirty.take()
    ours = {m.tenant.id, other}
    brain = SlowEcho()
    for n in range(40):
        body, headers = meta_text(f"wamid.W{n}", f"52155000{n % 8:05d}", f"hola {n}", PNID_1 if n % 2 else PNID_2)
        assert m.post("meta", body, headers).status_code == 200
    claims = TenantClaims(m.ingest.dirty)
    workers = [
        InboxWorker(m.processor(brain), m.ingest.dirty, lambda: ours, sweep_seconds=0.2, name=f"w{n}", claims=claims)
        for n in range(3)
    ]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(brain.calls) < 40:
            time.sleep(0.05)
    finally:
        for worker in workers:
            worker.stop()
    assert sorted(c[2].text for c in brain.calls) == sorted(f"hola {n}" for n in range(40))
    assert brain.most_per_tenant == 1  # never two workers on one tenant's inbox
    assert brain.most_at_once == 2  # the two tenants were worked on at the same time
    for tenant_id in (m.tenant.id, other):
        assert m.rows(tenant_id, "SELECT count(*) FROM inbox WHERE processed_at IS NULL") == [(0,)]
        assert m.rows(tenant_id, "SELECT count(*), count(DISTINCT in_reply_to) FROM outbox") == [(20, 20)]


class SlowEcho(EchoConversations):
    """Echo that takes 20 ms a message and records how many run at once, per tenant and in all."""

    def __init__(self) -> None:
        super().__init__()
        self.running: dict[str, int] = {}
        self.most_per_tenant = 0
        self.most_at_once = 0

    def handle(self, tenant: TenantContext, number_id: str, customer: CustomerRef, message: Inbound) -> list[Reply]:
        with self.lock:
            self.running[tenant.tenant_id] = self.running.get(tenant.tenant_id, 0) + 1
            self.most_per_tenant = max(self.most_per_tenant, self.running[tenant.tenant_id])
            self.most_at_once = max(self.most_at_once, sum(self.running.values()))
        time.sleep(0.02)
        with self.lock:
            self.running[tenant.tenant_id] -= 1
        return super().handle(tenant, number_id, customer, message)


def test_a_worker_told_to_step_aside_waits_until_the_burst_is_over(messaging: Messaging) -> None:
    from comandia.server.jobs.inbox_worker import InboxWorker

    m = messaging
    m.deliver_journal()  # earlier tests' webhooks to their own tenants, unmarked: this worker sweeps ours
    m.ingest.dirty.take()
    burst = [True]
    brain = EchoConversations()
    worker = InboxWorker(
        m.processor(brain), m.ingest.dirty, lambda: {m.tenant.id}, sweep_seconds=0.1, yield_to=lambda: burst[0]
    )
    worker.start()
    try:
        assert m.post_fixture("meta", "messages__text").status_code == 200
        time.sleep(0.5)
        assert brain.calls == []
        burst[0] = False
        deadline = time.monotonic() + 5
        while not brain.calls and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(brain.calls) == 1
    finally:
        worker.stop()
