"""Webhook signatures: each provider's scheme, checked on raw bytes, refusing every near miss."""

from __future__ import annotations

import pytest

from comandia.server.providers import signatures
from tests.plugins.messaging import META_APP_SECRET, PUBLIC_URL, TWILIO_TOKEN, load_fixture


def test_meta_fixture_signature_matches_its_app_secret_only() -> None:
    body, headers = load_fixture("meta", "messages__non_ascii")
    header = headers["X-Hub-Signature-256"]
    assert signatures.matching_meta_secret(body, header, ["other", META_APP_SECRET]) == META_APP_SECRET
    assert signatures.matching_meta_secret(body, header, ["other"]) is None


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha1=abc", "sha256=" + "0" * 64, "sha256=" + "é" * 64])
def test_meta_signature_refuses_missing_or_malformed_headers(header: str | None) -> None:
    body, _ = load_fixture("meta", "messages__text")
    assert signatures.matching_meta_secret(body, header, [META_APP_SECRET]) is None


def test_meta_signature_refuses_a_body_changed_by_one_byte() -> None:
    body, headers = load_fixture("meta", "messages__text")
    changed = body.replace(b"tacos", b"tacoz")
    assert signatures.matching_meta_secret(changed, headers["X-Hub-Signature-256"], [META_APP_SECRET]) is None


def test_meta_signature_is_over_the_escaped_bytes_not_reserialised_json() -> None:
    import json

    body, headers = load_fixture("meta", "messages__non_ascii")
    reencoded = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":")).encode()
    assert signatures.matching_meta_secret(reencoded, headers["X-Hub-Signature-256"], [META_APP_SECRET]) is None


def test_twilio_signature_agrees_with_the_documented_algorithm() -> None:
    # The worked example of Twilio's "Webhooks security" guide.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    assert signatures.twilio_signature(url, params, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilio_fixture_validates_and_a_changed_field_does_not() -> None:
    from urllib.parse import parse_qsl

    body, headers = load_fixture("twilio", "messages__text")
    form = parse_qsl(body.decode(), keep_blank_values=True)
    url = f"{PUBLIC_URL}/webhooks/twilio"
    assert signatures.twilio_signature_valid(url, form, headers["X-Twilio-Signature"], TWILIO_TOKEN)
    tampered = [(k, v + "!" if k == "Body" else v) for k, v in form]
    assert not signatures.twilio_signature_valid(url, tampered, headers["X-Twilio-Signature"], TWILIO_TOKEN)
    assert not signatures.twilio_signature_valid(url, form, None, TWILIO_TOKEN)
    assert not signatures.twilio_signature_valid(url, form, headers["X-Twilio-Signature"], "wrong")


def test_shared_secret_needs_both_sides() -> None:
    assert signatures.shared_secret_valid("s3cret", "s3cret")
    assert not signatures.shared_secret_valid("s3cret", None)
    assert not signatures.shared_secret_valid(None, "s3cret")
    assert not signatures.shared_secret_valid("s3creT", "s3cret")
