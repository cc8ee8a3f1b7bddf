"""Issue 14, finding 4 (S15) for webhooks: a poison message in a signed batch (a NUL, a 20,000-character
`from`, a lone surrogate, deep nesting) is quarantined with its reason, the batch's valid messages are
stored, and nothing blocks the tenant's inbox afterwards. A body nested 100k deep is a clear 400."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode

import pytest

from comandia.server.providers.signatures import meta_signature, twilio_signature
from tests.plugins.messaging import META_APP_SECRET, PNID_1, PUBLIC_URL, TWILIO_TO, TWILIO_TOKEN, Messaging


def _text(wamid: str, body: str, sender: str = "5215512345678") -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": "1750096325", "type": "text", "text": {"body": body}}


def _batch(*messages: dict[str, Any]) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PNID_1},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "5215512345678"}],
        "messages": list(messages),
    }
    document = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(document).encode()


def _post(m: Messaging, body: bytes) -> int:
    return m.post("meta", body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}).status_code


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


POISONS: dict[str, dict[str, Any]] = {
    "NUL in the text": _text("wamid.POISON", "hola\u0000mundo"),
    "20,000-character from": _text("wamid.POISON", "hola", sender="5" * 20_000),
    "lone surrogate": _text("wamid.POISON", "hola \ud83d"),
    "nested 200 deep": {**_text("wamid.POISON", "hola"), "extra": _deep(200)},
    "id missing": {k: v for k, v in _text("wamid.POISON", "hola").items() if k != "id"},
    "NUL in the id": _text("wamid.POI\u0000SON", "hola"),
}


@pytest.mark.parametrize("poison", list(POISONS))
def test_a_poison_message_is_quarantined_and_the_rest_of_the_batch_is_stored(messaging: Messaging, poison: str) -> None:
    m = messaging
    good_1, good_2 = f"wamid.G1{secrets.token_hex(4)}", f"wamid.G2{secrets.token_hex(4)}"
    body = _batch(_text(good_1, "quiero 2 tacos"), POISONS[poison], _text(good_2, "y una coca"))
    assert _post(m, body) == 200
    assert _post(m, body) == 200  # the provider's retry: nothing twice, still no error
    stored = m.rows(m.tenant.id, "SELECT provider_message_id FROM inbox WHERE kind <> 'quarantined' ORDER BY id")
    assert [r[0] for r in stored] == [good_1, good_2]
    quarantined = m.rows(
        m.tenant.id,
        "SELECT error, processed_at IS NOT NULL, octet_length(payload::text) FROM inbox WHERE kind = 'quarantined'",
    )
    assert len(quarantined) == 1, quarantined
    reason, set_aside, size = quarantined[0]
    assert set_aside and reason and size < 8_192, quarantined
    # the tenant's inbox is not blocked: the good messages are processed, the poison never is
    assert m.processor().process(m.tenant.id) == 2
    assert m.rows(m.tenant.id, "SELECT count(*) FROM inbox WHERE processed_at IS NULL") == [(0,)]


def test_a_body_nested_100k_deep_is_a_clear_400(messaging: Messaging) -> None:
    body = b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert _post(messaging, body) == 400
    assert messaging.rows(messaging.tenant.id, "SELECT count(*) FROM inbox") == [(0,)]


def test_a_twilio_post_with_a_nul_is_quarantined_not_refused(messaging: Messaging) -> None:
    m = messaging
    form = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC1",
        "From": "whatsapp:+5215512345678",
        "To": f"whatsapp:{TWILIO_TO}",
        "Body": "hola\u0000",
        "WaId": "5215512345678",
    }
    url = f"{PUBLIC_URL}/webhooks/twilio"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio_signature(url, form, TWILIO_TOKEN),
    }
    assert m.post("twilio", urlencode(form).encode(), headers).status_code == 200
    assert m.rows(m.tenant.id, "SELECT kind, processed_at IS NOT NULL FROM inbox") == [("quarantined", True)]
