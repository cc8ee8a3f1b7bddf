"""The 24-hour window: a status notice after it goes out as the number's template, or is recorded failed.

A customer chats to an order on Meta (or Twilio); the inbox rows are then aged past 24 hours,
as if the manager changed the status the next day.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from comandia.server.services.orders.orders import OrderService
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.messaging import Messaging
from tests.server.jobs.test_chats_end_to_end import CLOUD_SCRIPT, TEXT_SCRIPT, post_step, seed

CUSTOMER = "5215500009001"


def chat_to_order(
    m: Messaging, tenant_id: str, provider: str, template: str | None, language: str | None = None
) -> tuple[OrderService, int, int]:
    """Move the fixture numbers to a fresh tenant, chat to an order there; (orders, order id, order number)."""
    with m.runtime.databases.control_session() as session:
        session.execute(
            sa.text("UPDATE whatsapp_numbers SET tenant_id = :t WHERE id IN (:a, :b)"),
            {"t": tenant_id, "a": m.meta_1.id, "b": m.twilio.id},
        )
        session.commit()
    number = m.meta_1 if provider == "meta-1" else m.twilio
    m.numbers.set_template(tenant_id, number.id, template, language, actor="tests")
    seed(m, tenant_id)
    for n, step in enumerate(CLOUD_SCRIPT if provider == "meta-1" else TEXT_SCRIPT):
        assert post_step(m, provider, CUSTOMER, n, step) == 200
        m.services.inbox.process(tenant_id)
    m.sender().send_due(tenant_id)
    [(order_id, order_number)] = m.rows(tenant_id, "SELECT id, number FROM orders")
    return m.services.orders, order_id, order_number


def age_inbox(m: Messaging, tenant_id: str, hours: float) -> None:
    with m.runtime.databases.tenant_session(tenant_id) as session:
        session.execute(
            sa.text("UPDATE inbox SET received_at = received_at - make_interval(secs => :s)"), {"s": hours * 3600}
        )
        session.commit()


def last_sent(m: Messaging) -> dict[str, object]:
    body = m.stand_in.accepted[-1].body
    assert isinstance(body, dict)
    return body


@pytest.fixture
def tenant_id(messaging: Messaging, make_tenant: Callable[..., TenantInfo]) -> str:
    return make_tenant().id


def test_after_the_window_the_notice_goes_out_as_the_numbers_template(messaging: Messaging, tenant_id: str) -> None:
    orders, order_id, number = chat_to_order(messaging, tenant_id, "meta-1", "order_update", "es_MX")
    age_inbox(messaging, tenant_id, 25)
    sent_before = len(messaging.stand_in.accepted)
    orders.change_status(tenant_id, order_id, "confirmed", actor="manager")
    messaging.sender().send_due(tenant_id)
    assert len(messaging.stand_in.accepted) == sent_before + 1
    body = last_sent(messaging)
    assert body["type"] == "template" and body["to"] == CUSTOMER
    parameters = [{"type": "text", "text": str(number)}, {"type": "text", "text": "confirmado"}]
    assert body["template"] == {
        "name": "order_update",
        "language": {"code": "es_MX"},
        "components": [{"type": "body", "parameters": parameters}],
    }
    assert messaging.rows(tenant_id, "SELECT state FROM outbox ORDER BY id DESC LIMIT 1") == [("sent",)]


def test_twilio_sends_the_content_template_with_its_variables(messaging: Messaging, tenant_id: str) -> None:
    orders, order_id, number = chat_to_order(messaging, tenant_id, "twilio", "HX0123456789abcdef0123456789abcdef")
    age_inbox(messaging, tenant_id, 30)
    orders.change_status(tenant_id, order_id, "confirmed", actor="manager")
    messaging.sender().send_due(tenant_id)
    form = last_sent(messaging)
    assert form["ContentSid"] == "HX0123456789abcdef0123456789abcdef" and "Body" not in form
    assert json.loads(str(form["ContentVariables"])) == {"1": str(number), "2": "confirmado"}


def test_without_a_template_a_late_notice_is_recorded_failed_and_not_sent(messaging: Messaging, tenant_id: str) -> None:
    orders, order_id, _ = chat_to_order(messaging, tenant_id, "meta-1", None)
    age_inbox(messaging, tenant_id, 24)
    sent_before = len(messaging.stand_in.requests)
    orders.change_status(tenant_id, order_id, "confirmed", actor="manager")
    assert messaging.sender().send_due(tenant_id) == 0
    assert len(messaging.stand_in.requests) == sent_before
    [(state, error)] = messaging.rows(tenant_id, "SELECT state, last_error FROM outbox ORDER BY id DESC LIMIT 1")
    assert state == "failed" and "24-hour window" in error
    # The manager reads why in the transcript, in their language (Spanish first).
    chats = messaging.services.chats
    [chat] = chats.list(tenant_id).items
    [failed] = [m for m in chats.get(tenant_id, chat.id).messages if m.delivery == "failed"]
    assert failed.error is not None and failed.error.startswith("fuera de la ventana de 24 horas de WhatsApp")
    [failed] = [m for m in chats.get(tenant_id, chat.id, "en").messages if m.delivery == "failed"]
    assert failed.error == error


def test_inside_the_window_a_free_text_goes_out_and_a_window_error_falls_back_to_the_template(
    messaging: Messaging, tenant_id: str
) -> None:
    orders, order_id, number = chat_to_order(messaging, tenant_id, "meta-1", "order_update")
    age_inbox(messaging, tenant_id, 2)
    orders.change_status(tenant_id, order_id, "confirmed", actor="manager")
    messaging.sender().send_due(tenant_id)
    assert last_sent(messaging)["type"] == "text"  # inside the window: the normal text
    messaging.stand_in.fail("131047")  # Meta says the window closed meanwhile
    orders.change_status(tenant_id, order_id, "shipped", actor="manager")
    messaging.sender().send_due(tenant_id)
    body = last_sent(messaging)
    assert body["type"] == "template"
    assert body["template"]["language"] == {"code": "es"}  # the tenant's language when none is set
    assert body["template"]["components"][0]["parameters"][0] == {"type": "text", "text": str(number)}
    [(state, payload)] = messaging.rows(tenant_id, "SELECT state, payload FROM outbox ORDER BY id DESC LIMIT 1")
    assert state == "sent" and "fallback_template" not in payload and payload["template"]["name"] == "order_update"


def test_template_names_and_languages_are_validated(messaging: Messaging, tenant_id: str) -> None:
    from comandia.shared.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        messaging.numbers.set_template(None, messaging.meta_1.id, "no spaces allowed", None, actor="tests")
    with pytest.raises(ValidationFailed):
        messaging.numbers.set_template(None, messaging.meta_1.id, "order_update", "Spanish", actor="tests")
