"""The superadmin dashboard's WhatsApp figures follow the real messages: webhook, inbox, bot, outbox.

What the console's superadmin table shows ("messages in/out", "failed sends") is read here the way
the console reads it, through `KpisApi` over HTTP from the served app.
"""

from __future__ import annotations

import json

from comandia.server.providers.signatures import meta_signature
from comandia.shared.client.api import ApiClient
from comandia.shared.client.kpis import KpisApi
from comandia.shared.schemas.kpis import TenantActivity
from tests.plugins.api import World, served
from tests.plugins.messaging import META_APP_SECRET, PNID_1, Messaging


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
