"""Issue 14, finding 3 (S14): posts to unknown numbers cannot be authenticated, so they keep a
bounded summary (never the body), at a bounded rate per address and in all, in a bounded table;
authenticated traffic is unaffected by the flood."""

from __future__ import annotations

import secrets
import time

import sqlalchemy as sa

from comandia.server.db.control_models import UnroutableEvent
from comandia.server.services.messaging.ingest import IngestService
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.services.messaging.unroutable import EXCERPT_BYTES, UnroutableLimits
from tests.plugins.messaging import Messaging

BODY = b'{"object": "whatsapp_business_account", "junk": "' + b"x" * 1_000_000 + b'"}'


def _stored(m: Messaging) -> tuple[int, int, int]:
    """(rows, bytes of excerpts, largest excerpt) in unroutable_events."""
    with m.runtime.databases.control_session() as session:
        rows, total, largest = session.execute(sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(sa.func.octet_length(UnroutableEvent.body_excerpt)), 0),
            sa.func.coalesce(sa.func.max(sa.func.octet_length(UnroutableEvent.body_excerpt)), 0))).one()
        return int(rows), int(total), int(largest)


def _forget(m: Messaging) -> None:
    with m.runtime.databases.control_session() as session:
        session.execute(sa.delete(UnroutableEvent))
        session.commit()


def test_a_flood_of_1_mb_posts_to_unknown_numbers_stores_a_bounded_summary(messaging: Messaging) -> None:
    m = messaging
    _forget(m)
    started = time.perf_counter()
    answers = [m.client.simulate_post(f"/webhooks/360dialog/{990000 + n}", body=BODY,
                                      headers={"X-Comandia-Secret": "whatever"}).status_code for n in range(40)]
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


def test_many_addresses_are_capped_in_all_and_the_table_is_a_ring(messaging: Messaging) -> None:
    m = messaging
    _forget(m)
    limits = UnroutableLimits(per_minute=50, per_source_per_minute=3, keep_rows=20)
    ingest = IngestService(m.runtime.databases, m.directory, DirtyTenants(), limits)
    kept = [ingest.ingest_cloud_with_secret("360dialog", 990001, BODY, None, source=f"10.0.{n // 200}.{n % 200}")
            for n in range(100)]
    assert kept == [0] * 100
    rows, total, _ = _stored(m)
    assert rows == limits.keep_rows and total <= limits.keep_rows * EXCERPT_BYTES
    with m.runtime.databases.control_session() as session:
        newest = session.scalars(sa.select(UnroutableEvent.source).order_by(UnroutableEvent.id.desc())).first()
    assert newest == "10.0.0.49", "the ring keeps the newest rows"


def test_a_nul_or_a_newline_in_an_unknown_twilio_number_is_kept_escaped(messaging: Messaging) -> None:
    m = messaging
    _forget(m)
    to = f"+1555{secrets.randbelow(10**7):07d}\x00\n"
    form = [("MessageSid", "SM" + "1" * 32), ("From", "whatsapp:+52155"), ("To", f"whatsapp:{to}")]
    assert m.ingest.ingest_twilio("https://x/webhooks/twilio", form, None, b"x", source="10.9.9.9") == 0
    with m.runtime.databases.control_session() as session:
        key = session.scalars(sa.select(UnroutableEvent.routing_key)).one()
    assert key is not None and key.endswith("\\x00\\x0a")
