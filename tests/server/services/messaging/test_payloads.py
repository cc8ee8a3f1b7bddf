"""Inbox and outbox rows: written and read through one type each, in the JSON shape rows always had."""

from __future__ import annotations

import json
from typing import Any

from comandia.server.chat.model import buttons_reply
from comandia.server.providers.base import Template
from comandia.server.services.messaging.payloads import InboxPayload, OutboxPayload
from comandia.shared.domain.messages import CustomerRef, Inbound


def as_stored(data: dict[str, Any]) -> Any:
    """What the JSONB column holds (tuples become arrays)."""
    return json.loads(json.dumps(data))


# As ingest wrote them before the payloads were typed (an upgrade must read pending rows back).
OLD_INBOX_ROW = {
    "raw": {"message": {"id": "wamid.1"}},
    "customer": {"wa_id": "5215512345678", "user_id": None, "name": "Ana"},
    "inbound": {
        "kind": "order",
        "text": "",
        "reply_id": None,
        "order_items": [["TACO", 2]],
        "latitude": None,
        "longitude": None,
        "location_name": None,
        "location_address": None,
    },
}
OLD_OUTBOX_ROW = {
    "kind": "status",
    "body": "Tu pedido",
    "text": "Tu pedido",
    "buttons": [],
    "list_button": None,
    "list_sections": [],
    "fallback_template": {"name": "order_update", "language": "es", "params": ["7", "listo"]},
}


def test_an_inbox_row_reads_back_as_the_customer_and_the_message_the_bot_answers() -> None:
    payload = InboxPayload.read(OLD_INBOX_ROW)
    assert payload.customer.ref() == CustomerRef("5215512345678", None, "+5215512345678", "Ana")
    assert payload.inbound == Inbound(kind="order", order_items=(("TACO", 2),))
    assert as_stored(payload.stored()) == OLD_INBOX_ROW


def test_an_outbox_row_keeps_its_shape_and_switches_to_its_template() -> None:
    payload = OutboxPayload.read(OLD_OUTBOX_ROW)
    assert as_stored(payload.stored()) == OLD_OUTBOX_ROW
    late = payload.as_template()
    assert late.template == Template("order_update", "es", ("7", "listo")) and late.fallback_template is None
    assert late.to("5215512345678").template == late.template


def test_a_reply_with_buttons_is_stored_with_its_plain_text_form() -> None:
    payload = OutboxPayload.of(buttons_reply("¿Qué deseas?", [("a", "Tacos"), ("b", "Agua")]))
    stored = as_stored(payload.stored())
    assert stored["buttons"] == [["a", "Tacos"], ["b", "Agua"]] and "1. Tacos" in stored["text"]
    assert "template" not in stored and OutboxPayload.read(stored) == payload
