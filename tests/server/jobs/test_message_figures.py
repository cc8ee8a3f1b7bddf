"""The superadmin dashboard's WhatsApp figures follow the real messages: webhook, inbox, bot, outbox.

What the console's superadmin table shows ("messages in/out", "failed sends") is read here the way
the console reads it, through `KpisApi` over HTTP from the served app.
"""

from __future__ import annotations

import sqlalchemy as sa

from comandia.shared.client.api import ApiClient
from comandia.shared.client.kpis import KpisApi
from comandia.shared.schemas.kpis import TenantActivity
from tests.plugins.api import World, served
from tests.plugins.messaging import Messaging


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
    sent = m.rows(m.tenant.id, "SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0]
    with m.runtime.databases.tenant_session(m.tenant.id) as session:
        # WhatsApp's later "failed" status, as the status webhook records it on the row.
        session.execute(sa.text("UPDATE outbox SET status = 'failed' WHERE id = (SELECT min(id) FROM outbox)"))
        session.commit()
    m.services.kpis.admin.rebuild_summary(m.tenant.id)  # the repair counts as the live refresh does

    row = _tenant_row(m, world.superadmin.token)
    assert (row.messages_in, row.messages_out, row.failed_sends) == (1, sent - 1, 1)
