"""Issue 14, finding 3 (S14): posts to unknown numbers cannot be authenticated, so they keep a
bounded summary (never the body), at a bounded rate per address and in all (on the whole
appliance, whatever the number of server processes), in a bounded table; authenticated traffic is
unaffected by the flood."""

from __future__ import annotations

import datetime as dt
import secrets
import time

import pytest
import sqlalchemy as sa

from comandia.server.db.control_models import UnroutableEvent
from comandia.server.services.messaging.ingest import IngestService
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.services.messaging.unroutable import EXCERPT_BYTES, UnroutableLimits, UnroutableLog
from tests.plugins.messaging import Messaging

BODY = b'{"object": "whatsapp_business_account", "junk": "' + b"x" * 1_000_000 + b'"}'


def _stored(m: Messaging) -> tuple[int, int, int]:
    """(rows, bytes of excerpts, largest excerpt) in unroutable_events."""
    with m.runtime.databases.control_session() as session:
        rows, total, largest = session.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.func.octet_length(UnroutableEvent.body_excerpt)), 0),
                sa.func.coalesce(sa.func.max(sa.func.octet_length(UnroutableEvent.body_excerpt)), 0),
            )
        ).one()
        return int(rows), int(total), int(largest)


def _forget(m: Messaging) -> None:
    with m.runtime.databases.control_session() as session:
        session.execute(sa.delete(UnroutableEvent))
        session.commit()


def test_a_flood_of_1_mb_posts_to_unknown_numbers_stores_a_bounded_summary(messaging: Messaging) -> None:
    m = messaging
    _forget(m)
    started = time.perf_counter()
    answers = [
        m.client.simulate_post(
            f"/webhooks/360dialog/{990000 + n}", body=BODY, headers={"X-Comandia-Secret": "whatever"}
        ).status_code
        for n in range(40)
    ]
    assert set(answers) == {200}, "an unknown number is still acknowledged"
    rows, total, largest = _stored(m)
    # one address (the test client's): its per-minute cap, each row the first KiB only
    assert rows == UnroutableLimits().per_source_per_minute
    assert largest <= EXCERPT_BYTES and total <= rows * EXCERPT_BYTES
    with m.runtime.databases.control_session() as session:
        sizes = set(session.scalars(sa.select(UnroutableEvent.size_bytes)))
    assert sizes == {len(BODY)}, "the body's size is kept, not the body"
    # an authenticated message during the flood is stored as usual
    assert m.post_fixture("meta", "messages__text").status_code == 200
    assert m.rows(m.tenant.id, "SELECT count(*) FROM inbox") == [(1,)]
    assert time.perf_counter() - started < 60


def _age(m: Messaging, seconds: int) -> None:
    """Move every stored summary `seconds` into the past (a minute passing, without waiting for it)."""
    with m.runtime.databases.control_session() as session:
        session.execute(
            sa.update(UnroutableEvent).values(received_at=UnroutableEvent.received_at - dt.timedelta(seconds=seconds))
        )
        session.commit()


def test_many_addresses_are_capped_in_all_and_the_table_is_a_ring(messaging: Messaging) -> None:
    m = messaging
    _forget(m)
    limits = UnroutableLimits(per_minute=10, per_source_per_minute=3, keep_rows=20)
    now = [0.0]
    for minute in range(3):
        ingest = IngestService(m.runtime.databases, m.directory, DirtyTenants(), limits)
        ingest.unroutable = UnroutableLog(m.runtime.databases, limits, clock=lambda: now[0])
        kept = [
            ingest.ingest_cloud_with_secret("360dialog", 990001, BODY, None, source=f"10.{minute}.{n // 200}.{n % 200}")
            for n in range(100)
        ]
        assert kept == [0] * 100
        rows, total, _ = _stored(m)
        assert rows == min((minute + 1) * limits.per_minute, limits.keep_rows), f"minute {minute}: {rows} rows"
        assert total <= limits.keep_rows * EXCERPT_BYTES
        _age(m, 61)
        now[0] += 61
    with m.runtime.databases.control_session() as session:
        sources = list(session.scalars(sa.select(UnroutableEvent.source).order_by(UnroutableEvent.id)))
    assert sources == [f"10.{minute}.0.{n}" for minute in (1, 2) for n in range(10)], "the ring keeps the newest rows"


def test_the_caps_hold_for_the_whole_appliance_not_per_process(messaging: Messaging) -> None:
    """Three server processes (three logs, each with its own memory) store no more than one would."""
    m = messaging
    _forget(m)
    limits = UnroutableLimits(per_minute=6, per_source_per_minute=4)
    now = [0.0]
    processes = [UnroutableLog(m.runtime.databases, limits, clock=lambda: now[0]) for _ in range(3)]
    kept = [log.keep("meta", "no such number", "999", BODY, "10.1.1.1") for _ in range(3) for log in processes]
    assert kept.count(True) == limits.per_source_per_minute, "one address's cap, counted across processes"
    kept = [log.keep("meta", "no such number", "999", BODY, f"10.2.2.{n}") for n in range(4) for log in processes]
    assert kept.count(True) == limits.per_minute - limits.per_source_per_minute, "the cap in all, across processes"
    assert _stored(m)[0] == limits.per_minute
    # A minute later there is room again, on every process (what each remembered has lapsed).
    _age(m, 61)
    now[0] += 61
    assert all(log.keep("meta", "no such number", "999", BODY, "10.1.1.1") for log in processes[:3])
    assert _stored(m)[0] == limits.per_minute + 3


def test_a_per_minute_cap_larger_than_the_ring_is_refused() -> None:
    with pytest.raises(ValueError, match="keep_rows"):
        UnroutableLimits(per_minute=50, keep_rows=20)


def test_a_nul_or_a_newline_in_an_unknown_twilio_number_is_kept_escaped(messaging: Messaging) -> None:
    m = messaging
    _forget(m)
    to = f"+1555{secrets.randbelow(10**7):07d}\x00\n"
    form = [("MessageSid", "SM" + "1" * 32), ("From", "whatsapp:+52155"), ("To", f"whatsapp:{to}")]
    assert m.ingest.ingest_twilio("https://x/webhooks/twilio", form, None, b"x", source="10.9.9.9") == 0
    with m.runtime.databases.control_session() as session:
        key = session.scalars(sa.select(UnroutableEvent.routing_key)).one()
    assert key is not None and key.endswith("\\x00\\x0a")
