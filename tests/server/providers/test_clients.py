"""Provider clients against the stand-in: request shapes, ids, and the retry classification."""

from __future__ import annotations

import pytest
import requests

from comandia.server.providers.base import Endpoints, OutboundMessage, SendError, worded
from comandia.server.providers.dialog360 import Dialog360Provider
from comandia.server.providers.meta import MetaProvider
from comandia.server.providers.twilio import TwilioProvider
from tests.plugins.providers import StandIn

MENU = OutboundMessage(
    to="5215512345678",
    body="¿Qué deseas?",
    text="¿Qué deseas?\n1. Tacos\n2. Agua",
    buttons=(("a", "Tacos"), ("b", "Agua")),
)


@pytest.fixture
def http() -> requests.Session:
    return requests.Session()


def _meta(stand_in: StandIn, http: requests.Session) -> MetaProvider:
    return MetaProvider(
        "106540352200001", "102290129340398", "token", http, Endpoints(meta_base=stand_in.url, timeout_seconds=1.0)
    )


def test_meta_sends_reply_buttons_and_returns_the_wamid(stand_in: StandIn, http: requests.Session) -> None:
    result = _meta(stand_in, http).send(MENU)
    (request,) = stand_in.accepted
    assert result.provider_message_id == request.message_id
    assert request.path == "/v21.0/106540352200001/messages"
    assert request.headers["Authorization"] == "Bearer token"
    assert request.body["interactive"]["action"]["buttons"][1]["reply"] == {"id": "b", "title": "Agua"}


def test_360dialog_sends_the_cloud_api_body_with_its_key(stand_in: StandIn, http: requests.Session) -> None:
    provider = Dialog360Provider("k3y", http, Endpoints(dialog360_base=stand_in.url))
    provider.send(MENU)
    assert stand_in.accepted[0].headers["D360-API-KEY"] == "k3y"
    assert worded(provider.check(), "es").ok


def test_twilio_sends_plain_text_with_basic_auth(stand_in: StandIn, http: requests.Session) -> None:
    provider = TwilioProvider("AC1", "tok", "+15550003333", http, Endpoints(twilio_base=stand_in.url))
    result = provider.send(MENU)
    (request,) = stand_in.accepted
    assert result.provider_message_id.startswith("SM")
    assert request.body == {"From": "whatsapp:+15550003333", "To": "whatsapp:+5215512345678", "Body": MENU.text}
    assert worded(provider.check(), "es").ok


@pytest.mark.parametrize(
    ("failure", "kind", "code"),
    [
        ("500", "transient", 131000),
        ("429", "transient", 80007),
        ("130429", "transient", 130429),
        ("131056", "transient", 131056),
        ("131047", "permanent", 131047),
        ("190", "auth", 190),
        ("stall", "transient", 2),
    ],
)
def test_meta_errors_are_classified_per_the_retry_policy(
    stand_in: StandIn, http: requests.Session, failure: str, kind: str, code: int
) -> None:
    stand_in.stall_seconds = 0.1
    stand_in.fail(failure)
    with pytest.raises(SendError) as caught:
        _meta(stand_in, http).send(MENU)
    assert (caught.value.kind, caught.value.code) == (kind, code)
    if failure == "131056":
        assert (caught.value.retry_after or 0) >= 6
    assert stand_in.accepted == []


def test_a_timeout_is_transient(stand_in: StandIn, http: requests.Session) -> None:
    stand_in.stall_seconds = 1.5
    stand_in.fail("stall")
    provider = MetaProvider("1", None, "t", http, Endpoints(meta_base=stand_in.url, timeout_seconds=0.3))
    with pytest.raises(SendError) as caught:
        provider.send(MENU)
    assert caught.value.kind == "transient"


@pytest.mark.parametrize(("failure", "kind"), [("500", "transient"), ("190", "auth"), ("131047", "permanent")])
def test_twilio_errors_are_classified(stand_in: StandIn, http: requests.Session, failure: str, kind: str) -> None:
    stand_in.fail(failure)
    with pytest.raises(SendError) as caught:
        TwilioProvider("AC1", "tok", "+15550003333", http, Endpoints(twilio_base=stand_in.url)).send(MENU)
    assert caught.value.kind == kind


def test_meta_check_reports_the_number_and_the_subscription(stand_in: StandIn, http: requests.Session) -> None:
    checks = _meta(stand_in, http).check()
    assert all(c.ok for c in checks) and [c.label for c in checks] == ["number", "webhooks subscribed"]
    # Worded for the reader: Spanish first, the provider's own values as they came.
    result = worded(checks, "es")
    assert result.ok and [c.name for c in result.checks] == ["número", "webhooks suscritos"]
    assert result.checks[0].detail == "+1 555-000-1111, nombre verificado Tienda"


def test_meta_check_says_when_the_provider_is_unreachable(http: requests.Session) -> None:
    provider = MetaProvider("1", "2", "t", http, Endpoints(meta_base="http://127.0.0.1:9", timeout_seconds=0.5))
    checks = provider.check()
    assert not checks[0].ok and "unreachable" in worded(checks, "en").checks[0].detail
    assert worded(checks, "es").checks[0].detail.startswith("no se pudo contactar al proveedor (")
