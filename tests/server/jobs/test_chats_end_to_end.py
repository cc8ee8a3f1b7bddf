"""Whole chats to orders over every provider, with the real chat brain and the job threads running.

Two tenants at once, two numbers each (A: Meta + Twilio, B: Meta + 360dialog). Each customer
writes, waits for the reply at the stand-in provider, and writes again, as a person would.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from comandia.server.providers.signatures import meta_signature, twilio_signature
from comandia.server.wiring import build_jobs
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.messaging import (
    DIALOG_SECRET,
    META_APP_SECRET,
    PNID_1,
    PNID_2,
    PNID_360,
    PUBLIC_URL,
    TWILIO_TO,
    TWILIO_TOKEN,
    Messaging,
)

Step = tuple[str, str]  # ("text", body) or ("button", id)
CLOUD_SCRIPT: list[Step] = [
    ("text", "hola"),
    ("text", "quiero 2 pizzas margarita y una coca"),
    ("button", "checkout"),
    ("button", "usename"),
    ("text", "Av. Reforma 222"),
    ("text", "Ciudad de México"),
    ("button", "confirm"),
]
TEXT_SCRIPT: list[Step] = [
    ("text", "hola"),
    ("text", "quiero 2 pizzas margarita y una coca"),
    ("text", "finalizar"),
    ("text", "Ana"),
    ("text", "Av. Reforma 222"),
    ("text", "Ciudad de México"),
    ("text", "1"),
]


def seed(m: Messaging, tenant_id: str) -> None:
    catalog = m.services.catalog
    for sku, name, price in (("PZ-MAR", "Pizza margarita", "120"), ("COCA", "Coca-Cola", "25")):
        catalog.create_product(tenant_id, ProductInput(sku=sku, name=name, price=Decimal(price)))


def cloud_body(pnid: str, wamid: str, sender: str, step: Step) -> bytes:
    kind, value = step
    detail = (
        {"type": "text", "text": {"body": value}}
        if kind == "text"
        else {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": value, "title": value}},
        }
    )
    return json.dumps(
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
                                "messages": [{"from": sender, "id": wamid, "timestamp": "1750096325", **detail}],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def post_step(m: Messaging, provider: str, sender: str, n: int, step: Step) -> int:
    wamid = f"wamid.E2E.{sender}.{n}"
    if provider == "meta-1" or provider == "meta-2":
        body = cloud_body(PNID_1 if provider == "meta-1" else PNID_2, wamid, sender, step)
        return m.post("meta", body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}).status_code
    if provider == "360dialog":
        return m.post(
            "360dialog", cloud_body(PNID_360, wamid, sender, step), {"X-Comandia-Secret": DIALOG_SECRET}
        ).status_code
    form = {
        "MessageSid": f"SM{sender}{n:04d}",
        "From": f"whatsapp:+{sender}",
        "To": f"whatsapp:{TWILIO_TO}",
        "WaId": sender,
        "ProfileName": "Ana",
        "Body": step[1],
    }
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio_signature(f"{PUBLIC_URL}/webhooks/twilio", form, TWILIO_TOKEN),
    }
    return m.post("twilio", urlencode(form).encode(), headers).status_code


@pytest.fixture
def two_shops(messaging: Messaging, make_tenant: Callable[..., TenantInfo]) -> Iterator[tuple[str, str]]:
    """Tenant A owns Meta number 1 and the Twilio number; tenant B Meta number 2 and the 360dialog one."""
    a, b = make_tenant().id, make_tenant().id
    with messaging.runtime.databases.control_session() as session:
        for number, tenant in (
            (messaging.meta_1, a),
            (messaging.twilio, a),
            (messaging.meta_2, b),
            (messaging.dialog, b),
        ):
            session.execute(
                sa.text("UPDATE whatsapp_numbers SET tenant_id = :t WHERE id = :n"), {"t": tenant, "n": number.id}
            )
        session.commit()
    messaging.directory.invalidate()
    seed(messaging, a)
    seed(messaging, b)
    yield a, b


def test_four_customers_chat_to_orders_on_two_tenants_at_once(messaging: Messaging, two_shops: tuple[str, str]) -> None:
    m = messaging
    jobs = build_jobs(m.runtime.config, m.runtime.databases, m.services)  # the real bot, as the server runs it
    for job in jobs:
        job.start()
    plans = {
        "5215500001001": ("meta-1", CLOUD_SCRIPT),
        "5215500001002": ("twilio", TEXT_SCRIPT),
        "5215500001003": ("meta-2", CLOUD_SCRIPT),
        "5215500001004": ("360dialog", CLOUD_SCRIPT),
    }
    failures: list[str] = []

    def customer(sender: str) -> None:
        provider, script = plans[sender]
        for n, step in enumerate(script):
            assert post_step(m, provider, sender, n, step) == 200
            deadline = time.monotonic() + 15
            while len(m.stand_in.sent_texts(sender)) < n + 1:
                if time.monotonic() > deadline:
                    failures.append(f"{provider}: no reply to step {n} {step}: {m.stand_in.sent_texts(sender)}")
                    return
                time.sleep(0.02)

    try:
        threads = [threading.Thread(target=customer, args=(s,)) for s in plans]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for job in jobs:
            job.stop()
    assert failures == []
    for sender in plans:
        texts = m.stand_in.sent_texts(sender)
        assert len(texts) == 7 and "#" in texts[-1], texts[-1]
    for tenant_id in two_shops:
        placed = m.rows(tenant_id, "SELECT channel, total FROM orders ORDER BY id")
        assert placed == [("whatsapp", Decimal("265.00"))] * 2
        assert m.rows(tenant_id, "SELECT count(*) FROM inbox WHERE processed_at IS NULL") == [(0,)]


def test_a_managers_status_change_is_sent_to_the_customer(messaging: Messaging, two_shops: tuple[str, str]) -> None:
    m = messaging
    tenant_a = two_shops[0]
    for n, step in enumerate(CLOUD_SCRIPT):
        assert post_step(m, "meta-1", "5215500002001", n, step) == 200
        m.services.inbox.process(tenant_a)
    m.services.outbox_signal.take()
    [(order_id, number)] = m.rows(tenant_a, "SELECT id, number FROM orders")
    m.services.orders.change_status(tenant_a, order_id, "confirmed", actor="manager")
    assert m.services.outbox_signal.take() == {tenant_a}
    m.sender().send_due(tenant_a)
    texts = m.stand_in.sent_texts("5215500002001")
    expected = m.services.conversations.status_notification(m.contexts.get(tenant_a), number, "confirmed")
    assert len(texts) == 8 and texts[-1] == expected.body
