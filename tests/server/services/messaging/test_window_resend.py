"""A person's reply sent inside the 24-hour window that WhatsApp reports later as failed with 131047
(re-engagement required) goes out again as the tenant's hand-off template: once, in order, never
twice, and the transcript shows both (against the provider stand-in, statuses by webhook)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from comandia.server.providers.signatures import meta_signature
from comandia.server.services.messaging.chats import ChatService
from comandia.server.services.messaging.window_resend import VERDICT_WAIT, WindowClosedResender
from comandia.shared.schemas.tenants import TenantSettingsChange
from tests.plugins.messaging import META_APP_SECRET, PNID_1, Messaging
from tests.server.services.messaging.test_chats import ANA, only_chat, say


def failed(wamid: str, code: int = 131047) -> tuple[bytes, dict[str, str]]:
    """Meta's status webhook: `wamid` failed with `code`."""
    status = {
        "id": wamid,
        "status": "failed",
        "timestamp": "1750096400",
        "recipient_id": ANA,
        "errors": [{"code": code, "title": "Re-engagement message"}],
    }
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
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": PNID_1},
                                "statuses": [status],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    return body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}


@pytest.fixture
def with_template(messaging: Messaging) -> Iterator[Messaging]:
    messaging.services.tenant_settings.update(
        messaging.tenant.id, "tests", TenantSettingsChange(handoff_template="asesor")
    )
    yield messaging
    messaging.services.tenant_settings.update(messaging.tenant.id, "tests", TenantSettingsChange(handoff_template=""))


def replies_sent(m: Messaging, *texts: str) -> tuple[str, list[str]]:
    """A chat where the bot answered and a person then sent `texts` (in the window), all accepted."""
    say(m, "wamid.R0", "hola")
    m.processor().process(m.tenant.id)
    chat = only_chat(m)
    service = ChatService(m.runtime.databases, contexts=m.services.contexts)
    for text in texts:
        assert service.send(m.tenant.id, chat, text, actor="luis").template is None
    for _ in range(len(texts) + 1):
        m.sender().send_due(m.tenant.id)
    wamids = [
        r[0]
        for r in m.rows(m.tenant.id, "SELECT provider_message_id FROM outbox WHERE author IS NOT NULL ORDER BY seq")
    ]
    assert len(wamids) == len(texts) and all(wamids)
    return chat, wamids


def template_texts(m: Messaging) -> list[str]:
    return [
        a.body["template"]["components"][0]["parameters"][0]["text"]
        for a in m.stand_in.accepted
        if a.body.get("type") == "template"
    ]


def test_a_reply_refused_after_sending_goes_out_once_as_the_template_in_order(with_template: Messaging) -> None:
    m = with_template
    chat, (first, second) = replies_sent(m, "Primero", "Segundo")
    resender = WindowClosedResender(m.runtime.databases)
    assert m.post("meta", *failed(second)).status_code == 200  # the second's status arrives first
    assert m.services.window_signal.take() == {m.tenant.id}  # the outbox worker is told at once
    assert resender.resend(m.tenant.id) == 0  # the first may fail too: it must go first
    assert m.post("meta", *failed(first)).status_code == 200
    assert resender.resend(m.tenant.id) == 2
    assert m.post("meta", *failed(first)).status_code == 200  # the provider repeats itself
    assert resender.resend(m.tenant.id) == 0 and WindowClosedResender(m.runtime.databases).resend(m.tenant.id) == 0
    for _ in range(3):
        m.sender().send_due(m.tenant.id)
    assert template_texts(m) == ["Primero", "Segundo"]
    messages = ChatService(m.runtime.databases, contexts=m.services.contexts).get(m.tenant.id, chat).messages
    mine = [
        (x.text, x.author, x.status, x.error_code, x.template, x.resend_of is not None, x.resent_as is not None)
        for x in messages
        if x.author
    ]
    assert mine == [
        ("Primero", "luis", "failed", 131047, None, False, True),
        ("Segundo", "luis", "failed", 131047, None, False, True),
        ("Primero", "luis", None, None, "asesor", True, False),
        ("Segundo", "luis", None, None, "asesor", True, False),
    ]
    by_id = {x.id: x for x in messages}
    assert [by_id[x.resent_as].text for x in messages if x.resent_as] == ["Primero", "Segundo"]


def test_a_later_failure_waits_for_an_earlier_message_only_so_long(with_template: Messaging) -> None:
    m = with_template
    _, (_, second) = replies_sent(m, "Primero", "Segundo")
    m.post("meta", *failed(second))
    later = dt.datetime.now(dt.UTC) + VERDICT_WAIT + dt.timedelta(seconds=5)
    assert WindowClosedResender(m.runtime.databases, clock=lambda: later).resend(m.tenant.id) == 1
    for _ in range(2):
        m.sender(clock=lambda: later).send_due(m.tenant.id)  # the resend is due at its clock's moment
    assert template_texts(m) == ["Segundo"]


def test_without_a_template_or_for_another_failure_nothing_is_resent(messaging: Messaging) -> None:
    m = messaging
    chat, (wamid,) = replies_sent(m, "Hola")  # the tenant has no hand-off template
    m.post("meta", *failed(wamid))
    assert WindowClosedResender(m.runtime.databases).resend(m.tenant.id) == 0
    [mine] = [
        x
        for x in ChatService(m.runtime.databases, contexts=m.services.contexts).get(m.tenant.id, chat).messages
        if x.author
    ]
    assert (mine.status, mine.error_code, mine.resent_as) == ("failed", 131047, None)


def test_a_failure_for_another_reason_is_not_resent(with_template: Messaging) -> None:
    m = with_template
    _, (wamid,) = replies_sent(m, "Hola")
    m.post("meta", *failed(wamid, code=131026))  # undeliverable: not a window matter
    assert m.services.window_signal.take() == set()
    assert WindowClosedResender(m.runtime.databases).resend(m.tenant.id) == 0
