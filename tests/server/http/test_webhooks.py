"""Webhooks end to end through the HTTP edge: signatures, routing, durable dedupe, statuses, limits."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import falcon.testing
import pytest
import sqlalchemy as sa

from comandia.server.db.control_models import IngestJournalRow, UnroutableEvent, WhatsAppNumber
from comandia.server.db.direct_pool import DirectPool
from comandia.server.providers.signatures import meta_signature, twilio_signature
from comandia.server.services.messaging.ingest import IngestService
from comandia.server.services.messaging.journal import IngestJournal
from comandia.server.services.messaging.signals import DirtyTenants
from tests.plugins.messaging import (
    META_APP_SECRET,
    PNID_1,
    PUBLIC_URL,
    TWILIO_TO,
    TWILIO_TOKEN,
    Messaging,
    build_webhook_app,
    load_fixture,
)

INBOX_COUNT = "SELECT count(*) FROM inbox"


def _count(m: Messaging, sql: str = INBOX_COUNT) -> int:
    return int(m.rows(m.tenant.id, sql)[0][0])


def _unroutable(m: Messaging, key: str) -> int:
    with m.runtime.databases.control_session() as session:
        return int(session.scalar(sa.select(sa.func.count()).where(UnroutableEvent.routing_key == key)) or 0)


def test_meta_handshake_echoes_the_challenge_verbatim(messaging: Messaging) -> None:
    token = messaging.meta_1.verify_token
    result = messaging.client.simulate_get(
        "/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "0123456789x"}
    )
    assert result.status_code == 200 and result.text == "0123456789x"
    assert result.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "TOKEN", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
    ],
)
def test_meta_handshake_refuses_a_wrong_token_or_mode(messaging: Messaging, params: dict[str, str]) -> None:
    params = {k: (messaging.meta_1.verify_token or "") if v == "TOKEN" else v for k, v in params.items()}
    assert messaging.client.simulate_get("/webhooks/meta", params=params).status_code == 403


# 360dialog signs nothing: its secret header proves the sender, not the body (WHATSAPP.md), so
# "one byte changed" has no meaning there.
ATTACKS = [
    (p, a)
    for p in ("meta", "360dialog", "twilio")
    for a in ("missing", "wrong secret", "one byte changed")
    if (p, a) != ("360dialog", "one byte changed")
]


@pytest.mark.parametrize(("provider", "attack"), ATTACKS)
def test_bad_signatures_are_refused_and_store_nothing(messaging: Messaging, provider: str, attack: str) -> None:
    body, headers = load_fixture(provider, "messages__text")
    header = {"meta": "X-Hub-Signature-256", "360dialog": "X-Comandia-Secret", "twilio": "X-Twilio-Signature"}[provider]
    if attack == "missing":
        del headers[header]
    elif attack == "wrong secret":
        headers[header] = {
            "meta": meta_signature(body, "not-the-secret"),
            "360dialog": "not-the-secret",
            "twilio": twilio_signature(f"{PUBLIC_URL}/webhooks/twilio", {}, "nope"),
        }[provider]
    else:
        body = body.replace(b"hola", b"hole")
    result = messaging.post(provider, body, headers)
    assert result.status_code == 401
    assert _count(messaging) == 0


@pytest.mark.parametrize(
    ("provider", "name"),
    [
        ("meta", "messages__text"),
        ("meta", "messages__button_reply"),
        ("meta", "messages__list_reply"),
        ("meta", "messages__order"),
        ("meta", "messages__location"),
        ("meta", "messages__non_ascii"),
        ("meta", "messages__username_only"),
        ("meta", "messages__unknown_type"),
        ("360dialog", "messages__text"),
        ("twilio", "messages__text"),
        ("twilio", "messages__button"),
        ("twilio", "messages__location"),
    ],
)
def test_every_recorded_message_is_stored_once(messaging: Messaging, provider: str, name: str) -> None:
    assert messaging.post_fixture(provider, name).status_code == 200
    assert messaging.post_fixture(provider, name).status_code == 200
    assert _count(messaging) == 1


def test_a_batch_of_100_messages_for_two_numbers_is_stored_completely(messaging: Messaging) -> None:
    assert messaging.post_fixture("meta", "messages__batch_100_two_numbers").status_code == 200
    rows = messaging.rows(messaging.tenant.id, "SELECT number_id, count(*) FROM inbox GROUP BY 1 ORDER BY 1")
    assert rows == [(messaging.meta_1.id, 50), (messaging.meta_2.id, 50)]


def test_duplicates_from_16_threads_store_one_row(messaging: Messaging) -> None:
    barrier = threading.Barrier(16)
    codes: list[int] = []

    def post() -> None:
        barrier.wait()
        codes.append(messaging.post_fixture("meta", "messages__text").status_code)

    threads = [threading.Thread(target=post) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 16 and _count(messaging) == 1


def test_unknown_phone_number_id_is_acknowledged_and_kept_apart(messaging: Messaging) -> None:
    before = _unroutable(messaging, "999999999999999")
    assert messaging.post_fixture("meta", "messages__unknown_number").status_code == 200
    assert _unroutable(messaging, "999999999999999") == before + 1 and _count(messaging) == 0


def test_unknown_twilio_number_is_acknowledged_and_kept_apart(messaging: Messaging) -> None:
    form = {
        "MessageSid": "SM" + "9" * 32,
        "From": "whatsapp:+5215512345678",
        "To": "whatsapp:+15559990000",
        "Body": "hola",
    }
    result = messaging.post("twilio", urlencode(form).encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert result.status_code == 200 and _unroutable(messaging, "+15559990000") >= 1


def test_unauthenticated_unroutable_posts_are_capped(messaging: Messaging) -> None:
    from comandia.server.services.messaging.unroutable import UnroutableLimits

    capped = IngestService(
        messaging.runtime.databases, messaging.directory, DirtyTenants(), UnroutableLimits(per_minute=2)
    )
    key = f"+1555{secrets.randbelow(10**7):07d}"
    for n in range(5):
        form = [("MessageSid", f"SM{n:032d}"), ("From", "whatsapp:+52155"), ("To", f"whatsapp:{key}")]
        assert capped.ingest_twilio("https://x/webhooks/twilio", form, None, urlencode(form).encode()) == 0
    assert _unroutable(messaging, key) == 2


def test_malformed_signed_body_is_a_400_in_the_callers_language(messaging: Messaging) -> None:
    body = b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {}}]}]}'
    signed = {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}
    result = messaging.post("meta", body, signed)
    assert result.status_code == 400 and "metadata" in result.json["detail"]
    problem = result.json["detail"].split(": ")[-1]
    assert (result.json["title"], problem) == ("Webhook mal formado", "debe ser un objeto")
    english = messaging.post("meta", body, {**signed, "Accept-Language": "en"})
    problem = english.json["detail"].split(": ")[-1]
    assert (english.json["title"], problem) == ("Malformed webhook", "must be an object")
    result = messaging.post("twilio", b"\xff\xfe", {"Content-Type": "application/x-www-form-urlencoded"})
    assert (result.status_code, result.json["detail"]) == (400, "no es un formulario")


def test_an_oversized_body_is_a_413_in_the_callers_language(messaging: Messaging) -> None:
    body = b"{" + b" " * (messaging.runtime.config.max_body_bytes + 10) + b"}"
    result = messaging.post("meta", body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)})
    assert result.status_code == 413
    assert re.fullmatch(r"el límite es \d+ bytes", result.json["detail"])
    assert result.json["title"] == "Cuerpo de la petición demasiado grande"


def test_statuses_out_of_order_never_regress(messaging: Messaging) -> None:
    m = messaging
    with m.runtime.databases.tenant_session(m.tenant.id) as session:
        session.execute(
            sa.text(
                "INSERT INTO outbox (number_id, customer_wa_id, seq, payload, state, provider_message_id) VALUES "
                "(:n, '5215512345678', 1, '{}', 'sent', 'wamid.OUT1'), "
                "(:n, '5215512345678', 2, '{}', 'sent', 'wamid.OUT2')"
            ),
            {"n": m.meta_1.id},
        )
        session.commit()
    assert m.post_fixture("meta", "statuses__out_of_order").status_code == 200
    assert m.post_fixture("meta", "statuses__out_of_order").status_code == 200
    rows = m.rows(m.tenant.id, "SELECT provider_message_id, status, error_code FROM outbox ORDER BY seq")
    assert rows == [("wamid.OUT1", "read", None), ("wamid.OUT2", "failed", 131047)]
    assert _count(m, "SELECT count(*) FROM message_statuses") == 4


def test_a_status_before_its_message_is_applied_when_the_send_is_recorded(messaging: Messaging) -> None:
    m = messaging
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
                                "metadata": {"phone_number_id": PNID_1},
                                "statuses": [
                                    {
                                        "id": "wamid.EARLY",
                                        "status": "delivered",
                                        "timestamp": "1750096325",
                                        "recipient_id": "1",
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    assert m.post("meta", body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}).status_code == 200
    assert _count(m, "SELECT count(*) FROM message_statuses WHERE wamid = 'wamid.EARLY'") == 1


def test_twilio_status_callback_is_recorded(messaging: Messaging) -> None:
    assert messaging.post_fixture("twilio", "statuses__delivered").status_code == 200
    assert _count(messaging, "SELECT count(*) FROM message_statuses WHERE status = 'delivered'") == 1


def test_a_paused_number_still_acknowledges_and_keeps_messages(messaging: Messaging) -> None:
    messaging.numbers.pause(messaging.tenant.id, messaging.meta_1.id, actor="tests")
    assert messaging.post_fixture("meta", "messages__text").status_code == 200
    assert _count(messaging) == 1


@contextmanager
def _tenant_database_gone(m: Messaging) -> Iterator[None]:
    with m.runtime.databases.control_session() as session:  # point the tenant at a database that is gone
        session.execute(
            sa.text("UPDATE tenants SET database_name = 'comandia_missing_db' WHERE id = :t"), {"t": m.tenant.id}
        )
        session.commit()
    m.runtime.databases.tenant_engines.forget(m.tenant.id)
    try:
        yield
    finally:
        with m.runtime.databases.control_session() as session:
            session.execute(sa.text("UPDATE tenants SET database_name = role_name WHERE id = :t"), {"t": m.tenant.id})
            session.commit()
        m.runtime.databases.tenant_engines.forget(m.tenant.id)


def _journaled(m: Messaging) -> int:
    with m.runtime.databases.control_session() as session:
        return int(session.scalar(sa.select(sa.func.count()).where(IngestJournalRow.tenant_id == m.tenant.id)) or 0)


def test_a_tenant_database_failure_keeps_the_message_in_the_journal_until_it_answers(messaging: Messaging) -> None:
    m = messaging
    with _tenant_database_gone(m):
        assert m.post_fixture("meta", "messages__text").status_code == 200
        assert _journaled(m) == 1, "acknowledged, so kept until the tenant's database has it"
    assert _journaled(m) == 1
    acknowledged_by = dt.datetime.now(dt.UTC)
    time.sleep(0.05)
    # A fresh drain (the first one rests the tenant for a few seconds) delivers it, once.
    late = IngestJournal(m.runtime.databases, DirtyTenants(), m.directory.touch)
    late.drain()
    late.close()
    assert _journaled(m) == 0 and _count(m) == 1
    [(received,)] = m.rows(m.tenant.id, "SELECT received_at FROM inbox")
    assert received <= acknowledged_by, "received when the customer wrote, not when the drain delivered it"
    assert m.post_fixture("meta", "messages__text").status_code == 200 and _count(m) == 1


def test_the_journal_sealed_a_tenant_row_with_that_tenant_key_only(messaging: Messaging) -> None:
    m = messaging
    with _tenant_database_gone(m):
        m.post_fixture("meta", "messages__text")
    with m.runtime.databases.control_session() as session:
        sealed = session.scalar(sa.select(IngestJournalRow.sealed).where(IngestJournalRow.tenant_id == m.tenant.id))
    assert sealed is not None and b"wamid" not in sealed
    box = m.runtime.databases.box
    assert b"wamid" in box.derived(f"ingest-journal:{m.tenant.id}").open_bytes(sealed)
    with pytest.raises(ValueError, match="cannot be decrypted"):
        box.derived("ingest-journal:tsomeoneelse0").open_bytes(sealed)
    IngestJournal(m.runtime.databases, DirtyTenants(), m.directory.touch).drain()


def test_a_journal_failure_answers_503_so_the_provider_retries(messaging: Messaging) -> None:
    m = messaging
    databases = m.runtime.databases
    working = databases.journal_pool
    databases.journal_pool = DirectPool(
        working.url.set(database="comandia_missing_db"), databases.budget, 1, databases.options, "the control database"
    )
    body, headers = load_fixture("meta", "messages__text")
    try:
        assert m.client.simulate_post("/webhooks/meta", body=body, headers=headers).status_code == 503
    finally:
        databases.journal_pool.close()
        databases.journal_pool = working
    assert m.post_fixture("meta", "messages__text").status_code == 200 and _count(m) == 1


def test_without_the_journal_a_tenant_database_failure_answers_503(messaging: Messaging) -> None:
    m = messaging
    direct = IngestService(m.runtime.databases, m.directory, DirtyTenants())
    client = falcon.testing.TestClient(build_webhook_app(m.runtime, direct))
    body, headers = load_fixture("meta", "messages__text")
    with _tenant_database_gone(m):
        assert client.simulate_post("/webhooks/meta", body=body, headers=headers).status_code == 503
    assert client.simulate_post("/webhooks/meta", body=body, headers=headers).status_code == 200 and _count(m) == 1


def test_last_inbound_at_is_recorded_for_the_number(messaging: Messaging) -> None:
    messaging.post_fixture("meta", "messages__text")
    with messaging.runtime.databases.control_session() as session:
        assert session.get(WhatsAppNumber, messaging.meta_1.id).last_inbound_at is not None  # type: ignore[union-attr]


def test_the_twilio_number_routes_on_to(messaging: Messaging) -> None:
    assert messaging.post_fixture("twilio", "messages__text").status_code == 200
    assert messaging.rows(messaging.tenant.id, "SELECT number_id, provider FROM inbox") == [
        (messaging.twilio.id, "twilio")
    ]
    assert TWILIO_TO and TWILIO_TOKEN
