"""Dedupe and status order as a hypothesis state machine (RELIABILITY R3/R6, generated).

Hypothesis interleaves, in any order and with any repetition: customers' messages (each wamid
delivered 1-4 times), our sends (the outbox recording the wamid the provider answered), and
delivery statuses for those wamids, possibly before the send is recorded, repeated or out of
order. After every step the tenant's database must agree with a simple model: each inbound wamid
stored once; each sent message's status the highest one seen (`failed` final); each
(wamid, status) recorded once.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from comandia.server.providers.base import STATUS_RANK
from comandia.server.providers.signatures import meta_signature
from comandia.server.services.messaging.outbox import queue_messages
from comandia.server.services.messaging.payloads import OutboxPayload
from comandia.shared.domain.times import utcnow
from tests.plugins.messaging import META_APP_SECRET, PNID_1, Messaging

CUSTOMER = "5215512340000"
WAMIDS = [f"wamid.OUT.{i}" for i in range(6)]
STATUSES = ("sent", "delivered", "read", "failed")


def signed(value: dict[str, object]) -> tuple[bytes, dict[str, str]]:
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
                                "metadata": {"display_phone_number": "15550001111", "phone_number_id": PNID_1},
                                **value,
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    return body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}


def message_value(wamid: str) -> dict[str, object]:
    return {
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": CUSTOMER}],
        "messages": [
            {"from": CUSTOMER, "id": wamid, "timestamp": "1750096325", "type": "text", "text": {"body": "hola"}}
        ],
    }


def status_value(wamid: str, status: str) -> dict[str, object]:
    entry: dict[str, object] = {"id": wamid, "status": status, "timestamp": "1750096400", "recipient_id": CUSTOMER}
    if status == "failed":
        entry["errors"] = [{"code": 131026, "title": "Message undeliverable"}]
    return {"statuses": [entry]}


def test_dedupe_and_status_order_hold_in_any_interleaving(messaging: Messaging) -> None:
    m = messaging

    class Webhooks(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            with m.runtime.databases.tenant_session(m.tenant.id) as session:
                session.execute(sa.text("TRUNCATE media, inbox, outbox, message_statuses RESTART IDENTITY"))
                session.commit()
            m.stand_in.reset()
            self.inbound: set[str] = set()
            self.sent: set[str] = set()
            self.best: dict[str, str] = {}
            self.pairs: set[tuple[str, str]] = set()

        @rule(n=st.integers(0, 9), times=st.integers(1, 4))
        def customer_writes(self, n: int, times: int) -> None:
            body, headers = signed(message_value(f"wamid.IN.{n}"))
            for _ in range(times):
                assert m.post("meta", body, headers).status_code == 200
            self.inbound.add(f"wamid.IN.{n}")

        @rule(wamid=st.sampled_from(WAMIDS))
        def we_send(self, wamid: str) -> None:
            if wamid in self.sent:
                return
            with m.runtime.databases.tenant_session(m.tenant.id) as session:
                queue_messages(session, m.meta_1.id, CUSTOMER, [OutboxPayload("reply", "x", "x")], at=utcnow())
                session.commit()
            m.stand_in.next_ids.append(wamid)
            assert m.sender().send_due(m.tenant.id) == 1
            self.sent.add(wamid)

        @rule(wamid=st.sampled_from(WAMIDS), status=st.sampled_from(STATUSES), times=st.integers(1, 3))
        def provider_reports(self, wamid: str, status: str, times: int) -> None:
            body, headers = signed(status_value(wamid, status))
            for _ in range(times):
                assert m.post("meta", body, headers).status_code == 200
            self.pairs.add((wamid, status))
            if STATUS_RANK[status] > STATUS_RANK.get(self.best.get(wamid, ""), -1):
                self.best[wamid] = status

        @invariant()
        def database_agrees_with_the_model(self) -> None:
            inbox = m.rows(m.tenant.id, "SELECT provider_message_id FROM inbox")
            assert sorted(w for (w,) in inbox) == sorted(self.inbound)
            outbox = dict(m.rows(m.tenant.id, "SELECT provider_message_id, status FROM outbox"))
            assert outbox == {w: self.best.get(w) for w in self.sent}
            statuses = m.rows(m.tenant.id, "SELECT wamid, status FROM message_statuses")
            assert sorted(statuses) == sorted(self.pairs)

    run_state_machine_as_test(
        Webhooks,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
