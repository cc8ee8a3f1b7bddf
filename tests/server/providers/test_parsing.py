"""Webhook parsing: every entry, change, message and status; unknown types kept; bad fields named."""

from __future__ import annotations

import json

import pytest

from comandia.server.providers.base import PayloadError
from comandia.server.providers.parsing import parse_cloud_api, parse_twilio_form
from comandia.shared.domain.messages import CustomerRef
from tests.plugins.messaging import PNID_1, PNID_2, load_fixture


def _parse(name: str):  # type: ignore[no-untyped-def]
    return parse_cloud_api(load_fixture("meta", name)[0])


def test_text_message_is_normalised_with_its_contact() -> None:
    (message,) = _parse("messages__text").messages
    assert (message.content.kind, message.content.text) == ("text", "hola, quiero 2 tacos")
    assert message.customer == CustomerRef("5215512345678", "MX.88123", "+5215512345678", "Ana")
    assert message.routing_key == PNID_1 and message.raw["message"]["id"] == message.provider_message_id


@pytest.mark.parametrize(
    ("name", "kind", "reply_id"),
    [
        ("messages__button_reply", "button", "confirm"),
        ("messages__list_reply", "list", "sku:TACO"),
    ],
)
def test_interactive_replies_carry_the_tapped_id(name: str, kind: str, reply_id: str) -> None:
    (message,) = _parse(name).messages
    assert (message.content.kind, message.content.reply_id) == (kind, reply_id)


def test_order_lines_are_sku_and_quantity() -> None:
    (message,) = _parse("messages__order").messages
    assert message.content.kind == "order" and message.content.order_items == (("TACO", 2), ("AGUA", 1))


def test_location_has_coordinates_and_names() -> None:
    (message,) = _parse("messages__location").messages
    content = message.content
    assert (content.latitude, content.longitude, content.location_name) == (19.4326, -99.1332, "Casa")


def test_non_ascii_text_survives_metas_escaping() -> None:
    (message,) = _parse("messages__non_ascii").messages
    assert message.content.text == "¿Tienen piñata? 🎉 https://example.com/menú"
    assert message.customer.profile_name == "José Ñúñez"


def test_username_only_customer_is_keyed_on_the_user_id() -> None:
    (message,) = _parse("messages__username_only").messages
    assert message.customer.wa_id is None and message.customer_key == "BR.1502576394655843"


def test_unknown_type_is_kept_as_other() -> None:
    (message,) = _parse("messages__unknown_type").messages
    assert message.content.kind == "other"


def test_batch_of_100_for_two_numbers_is_walked_completely() -> None:
    events = _parse("messages__batch_100_two_numbers")
    assert len(events.messages) == 100 and len({m.provider_message_id for m in events.messages}) == 100
    assert {m.routing_key for m in events.messages} == {PNID_1, PNID_2}


def test_statuses_keep_their_error_code() -> None:
    statuses = _parse("statuses__out_of_order").statuses
    assert [s.status for s in statuses] == ["read", "sent", "delivered", "failed"]
    assert statuses[-1].error_code == 131047


def test_unknown_fields_are_ignored() -> None:
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "account_update", "value": {"anything": 1}}]}],
        }
    ).encode()
    assert parse_cloud_api(body).messages == ()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b"not json", "$"),
        (b"[]", "$"),
        (b'{"entry": {}}', "entry"),
        (b'{"entry": [{"changes": [{"field": "messages", "value": {}}]}]}', "entry[0].changes[0].value.metadata"),
        (b'{"entry": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "$"),
    ],
)
def test_malformed_bodies_name_the_bad_field(body: bytes, path: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_cloud_api(body)
    assert caught.value.path == path


def test_a_malformed_message_is_rejected_with_its_field_and_the_others_kept() -> None:
    body = (
        b'{"entry": [{"changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "1"},'
        b' "messages": [{"type": "text", "from": "1"}, {"type": "text", "from": "1", "id": "w2"}]}}]}]}'
    )
    events = parse_cloud_api(body)
    assert [m.provider_message_id for m in events.messages] == ["w2"]
    reasons = [r.reason for r in events.rejected]
    assert reasons == ["entry[0].changes[0].value.messages[0].id: must be a non-empty string"]
    assert events.rejected[0].routing_key == "1" and events.rejected[0].provider_message_id is None


def test_twilio_form_message_button_location_and_status() -> None:
    from urllib.parse import parse_qsl

    def form(name: str) -> dict[str, str]:
        return dict(parse_qsl(load_fixture("twilio", name)[0].decode(), keep_blank_values=True))

    assert parse_twilio_form(form("messages__text")).messages[0].content.text == "hola"
    assert parse_twilio_form(form("messages__button")).messages[0].content.reply_id == "confirm"
    assert parse_twilio_form(form("messages__location")).messages[0].content.kind == "location"
    (status,) = parse_twilio_form(form("statuses__delivered")).statuses
    assert status.status == "delivered" and status.routing_key == "+15550003333"
