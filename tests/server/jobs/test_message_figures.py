"""The superadmin dashboard's WhatsApp figures follow the real messages: webhook, inbox, bot, outbox.

What the console's superadmin table shows ("messages in/out", "failed sends") is read here the way
the console reads it, through `KpisApi` over HTTP from the served app. Days summed before the
summary counted messages get their figures from the upgrade, once, with no operator.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import threading
from pathlib import Path

import sqlalchemy as sa

from comandia.server.jobs.summaries import SummaryRefresher
from comandia.server.providers.signatures import meta_signature
from comandia.server.wiring import ProcessRole, build_jobs
from comandia.shared.client.api import ApiClient
from comandia.shared.client.kpis import KpisApi
from comandia.shared.schemas.kpis import TenantActivity
from tests.plugins.api import World, served
from tests.plugins.messaging import META_APP_SECRET, PNID_1, Messaging
from tests.waiting import eventually

MIGRATIONS = Path(__file__).parents[3] / "server" / "db" / "migrations" / "control" / "versions"


def _tenant_row(m: Messaging, token: str) -> TenantActivity:
    with served(m.services) as url:
        client = ApiClient(url, token=token)
        try:
            report = KpisApi(client.transport).admin_latest("today", sort="name")
        finally:
            client.close()
    return next(t for t in report.tenants if t.tenant_id == m.tenant.id)


def test_the_dashboard_counts_messages_in_out_and_failed_sends(messaging: Messaging, world: World) -> None:
    m = messaging
    for n, text in enumerate(("hola", "quiero tacos", "gracias")):
        m.say(f"wamid.figures.{n}", text, "5215511110001")
    assert m.services.inbox.process(m.tenant.id) == 3  # the real bot answers each
    queued = m.rows(m.tenant.id, "SELECT count(*) FROM outbox")[0][0]
    assert queued >= 3
    m.stand_in.fail("131026", 1)  # WhatsApp refuses the first reply for good: a failed send
    while m.services.outbox.send_due(m.tenant.id):
        pass
    states = dict(m.rows(m.tenant.id, "SELECT state, count(*) FROM outbox GROUP BY state"))
    assert states == {"sent": queued - 1, "failed": 1}

    row = _tenant_row(m, world.superadmin.token)
    assert (row.messages_in, row.messages_out, row.failed_sends) == (3, queued - 1, 1)


def test_a_message_reported_undelivered_moves_from_out_to_failed(messaging: Messaging, world: World) -> None:
    m = messaging
    m.say("wamid.figures.late", "hola", "5215511110002")
    m.services.inbox.process(m.tenant.id)
    while m.services.outbox.send_due(m.tenant.id):
        pass
    sent = m.rows(m.tenant.id, "SELECT provider_message_id FROM outbox WHERE state = 'sent' ORDER BY id")
    assert _tenant_row(m, world.superadmin.token).messages_out == len(sent)
    # WhatsApp's later "failed" status for the first reply, through the status webhook: the
    # figures follow it without any other message of the tenant.
    failed = {"id": sent[0][0], "status": "failed", "timestamp": "1750096330", "recipient_id": "5215511110002",
              "errors": [{"code": 131026, "title": "Message undeliverable"}]}  # fmt: skip
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": PNID_1}, "statuses": [failed]}
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()
    assert m.post("meta", body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}).status_code == 200

    row = _tenant_row(m, world.superadmin.token)
    assert (row.messages_in, row.messages_out, row.failed_sends) == (1, len(sent) - 1, 1)
    m.services.kpis.admin.rebuild_summary(m.tenant.id)  # the repair counts as the live refresh does
    again = _tenant_row(m, world.superadmin.token)
    assert (again.messages_in, again.messages_out, again.failed_sends) == (1, len(sent) - 1, 1)


def _listing_sql() -> str:
    """The SQL of migration c0014 that lists the tenants whose summary the upgrade rebuilds."""
    spec = importlib.util.spec_from_file_location("c0014", MIGRATIONS / "c0014_pending_summary_rebuilds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.PENDING)


def _figures(m: Messaging, day: dt.date) -> tuple[int, int, int]:
    rows = m.services.kpis.admin.report(day, day).tenants
    row = next(t for t in rows if t.tenant_id == m.tenant.id)
    return row.messages_in, row.messages_out, row.failed_sends


def _upgraded(m: Messaging) -> None:
    """Migration c0014 as it runs on an appliance: it lists every tenant there is (other tests'
    tenants are struck off again: their databases are theirs to break)."""
    with m.runtime.databases.control_session() as session:
        session.execute(sa.text(_listing_sql()))
        listed = set(session.scalars(sa.text("SELECT tenant_id FROM pending_summary_rebuilds")))
        assert m.tenant.id in listed
        session.execute(sa.text("DELETE FROM pending_summary_rebuilds WHERE tenant_id <> :t"), {"t": m.tenant.id})
        session.commit()


def _tenant_away(m: Messaging) -> str:
    """Another active tenant, listed first, whose database is not there (a copy of the test's own row)."""
    away = "t0000away0000"
    changed = {
        "id": away,
        "name": f"away {m.tenant.id}",
        "database_name": f"{m.tenant.id}_nowhere",
        "role_name": f"{m.tenant.id}_nobody",
    }
    with m.runtime.databases.control_session() as session:
        session.execute(
            sa.text(
                "INSERT INTO tenants SELECT (jsonb_populate_record(NULL::tenants,"
                " to_jsonb(t) || CAST(:changed AS jsonb))).* FROM tenants t WHERE t.id = :t"
            ),
            {"changed": json.dumps(changed), "t": m.tenant.id},
        )
        session.commit()
    return away


def _pending(m: Messaging) -> bool:
    with m.runtime.databases.control_session() as session:
        found = session.scalar(
            sa.text("SELECT count(*) FROM pending_summary_rebuilds WHERE tenant_id = :t"), {"t": m.tenant.id}
        )
    return bool(found)


def test_an_upgrade_counts_the_messages_of_days_summed_before_once(messaging: Messaging) -> None:
    m = messaging
    for n, text in enumerate(("hola", "quiero tacos")):
        m.say(f"wamid.before.{n}", text, "5215511110003")
    assert m.services.inbox.process(m.tenant.id) == 2
    while m.services.outbox.send_due(m.tenant.id):
        pass
    sent = m.rows(m.tenant.id, "SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0]
    assert sent >= 2
    # The old state: the messages are ten days old, and their day was summed by a release that
    # counted no messages (its row says 0, as every tenant's past days did until `kpis rebuild`).
    with m.runtime.databases.tenant_session(m.tenant.id) as session:
        session.execute(sa.text("UPDATE inbox SET received_at = received_at - interval '10 days'"))
        session.execute(sa.text("UPDATE outbox SET created_at = created_at - interval '10 days'"))
        session.commit()
    m.services.kpis.admin.rebuild_summary(m.tenant.id)
    with m.runtime.databases.control_session() as session:
        day = session.scalar(
            sa.text("SELECT day FROM tenant_daily WHERE tenant_id = :t AND messages_in > 0"), {"t": m.tenant.id}
        )
        session.execute(
            sa.text("UPDATE tenant_daily SET messages_in = 0, messages_out = 0, failed_sends = 0 WHERE tenant_id = :t"),
            {"t": m.tenant.id},
        )
        session.commit()
    assert isinstance(day, dt.date) and day <= dt.datetime.now(dt.UTC).date() - dt.timedelta(days=9)
    assert _figures(m, day) == (0, 0, 0)

    _upgraded(m)
    # The upgraded server starts: its jobs process catches the summary up, as it does at every start,
    # even with another active tenant whose database does not answer (it waits; the others do not).
    away = _tenant_away(m)
    jobs = build_jobs(m.runtime.config, m.runtime.databases, m.services, role=ProcessRole.JOBS)
    refresher = next(job for job in jobs if isinstance(job, SummaryRefresher))
    refresher.start()
    try:
        assert eventually(lambda: not _pending(m), 20.0)
    finally:
        refresher.stop()
        with m.runtime.databases.control_session() as session:
            session.execute(sa.text("DELETE FROM tenants WHERE id = :t"), {"t": away})
            session.commit()
    assert _figures(m, day) == (2, sent, 0)

    # Exactly once across processes: two catching up together rebuild the listed tenant once.
    with m.runtime.databases.control_session() as session:
        session.execute(_listed_again(m.tenant.id))
        session.commit()
    rebuilt: list[list[str]] = []
    start = threading.Barrier(2)

    def catch_up() -> None:
        start.wait()
        rebuilt.append(m.services.kpis.rebuild_pending_summaries())

    threads = [threading.Thread(target=catch_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(t for done in rebuilt for t in done) == [m.tenant.id]
    assert m.services.kpis.rebuild_pending_summaries() == [] and not _pending(m)
    assert _figures(m, day) == (2, sent, 0)
    # an operator's `kpis rebuild` since the upgrade did the work: the catch-up does not do it again
    with m.runtime.databases.control_session() as session:
        session.execute(_listed_again(m.tenant.id))
        session.commit()
    m.services.kpis.rebuild(m.tenant.id)
    assert not _pending(m) and m.services.kpis.rebuild_pending_summaries() == []


def _listed_again(tenant_id: str) -> sa.TextClause:
    return sa.text("INSERT INTO pending_summary_rebuilds (tenant_id, reason) VALUES (:t, 'test')").bindparams(
        t=tenant_id
    )
