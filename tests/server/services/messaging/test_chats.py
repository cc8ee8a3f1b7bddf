"""Conversations as people see them: the list, transcripts, hand-off to a person, replies, the feed.

Customer messages arrive as signed webhooks and go through the real inbox; the bot is the echo
stand-in unless a test needs the real one's "I did not understand".
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from comandia.server.db.control_models import AuditEntry
from comandia.server.providers.signatures import meta_signature
from comandia.server.services.messaging.changes import ChangeFeed
from comandia.server.services.messaging.chats import ChatService
from comandia.shared.domain.errors import Conflict, NotFound
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from comandia.shared.schemas.rules import OpeningHours
from comandia.shared.schemas.tenants import TenantSettingsChange
from tests.plugins.messaging import META_APP_SECRET, PNID_1, EchoConversations, Messaging, meta_message

ANA = "5215512345678"


def say(m: Messaging, wamid: str, text: str, sender: str = ANA) -> None:
    m.say(wamid, text, sender)


def chats(m: Messaging, clock: dt.datetime | None = None) -> ChatService:
    return ChatService(m.runtime.databases, clock=(lambda: clock) if clock else dt.datetime.now().astimezone)


def only_chat(m: Messaging) -> str:
    page = chats(m).list(m.tenant.id)
    assert len(page.items) == 1
    return page.items[0].id


def test_a_customer_message_opens_a_chat_with_both_sides_and_the_buttons_as_sent(messaging: Messaging) -> None:
    m = messaging
    for wamid, text in (("wamid.C1", "hola"), ("wamid.C2", "menu")):
        say(m, wamid, text)
        m.processor().process(m.tenant.id)
    [chat] = chats(m).list(m.tenant.id).items
    assert (chat.customer_phone, chat.customer_name, chat.state, chat.unread) == ("+" + ANA, "Ana", "bot", 2)
    assert chat.last_direction == "out" and chat.last_message_text == "¿Qué deseas?"
    assert "5215512345678" not in chat.id
    detail = chats(m).get(m.tenant.id, chat.id)
    assert [(x.direction, x.text) for x in detail.messages] == [
        ("in", "hola"),
        ("out", "eco: hola"),
        ("in", "menu"),
        ("out", "¿Qué deseas?"),
    ]
    assert detail.messages[-1].reply is not None
    assert [b.title for b in detail.messages[-1].reply.buttons] == ["Tacos", "Agua"]
    assert detail.window_open and detail.reply_mode == "text"
    assert chats(m).list(m.tenant.id).items[0].unread == 2  # getting the chat is not reading it
    assert chats(m).mark_read(m.tenant.id, chat.id).unread == 0
    assert chats(m).list(m.tenant.id).items[0].unread == 0


def test_delivery_ticks_come_from_the_statuses(messaging: Messaging) -> None:
    m = messaging
    say(m, "wamid.T1", "hola")
    m.processor().process(m.tenant.id)
    m.sender().send_due(m.tenant.id)
    [wamid] = [r[0] for r in m.rows(m.tenant.id, "SELECT provider_message_id FROM outbox")]
    statuses = {
        "statuses": [
            {"id": wamid, "status": s, "timestamp": "1750030073", "recipient_id": ANA} for s in ("read", "delivered")
        ]
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
                                **statuses,
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    m.post("meta", body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)})
    reply = chats(m).get(m.tenant.id, only_chat(m)).messages[-1]
    assert (reply.delivery, reply.status) == ("sent", "read")


def test_a_message_whatsapp_refuses_tells_the_manager_what_failed_and_what_to_do(messaging: Messaging) -> None:
    m = messaging
    say(m, "wamid.F1", "hola")
    m.processor().process(m.tenant.id)
    m.stand_in.fail("131026")  # a phone without WhatsApp: refused for good
    m.sender().send_due(m.tenant.id)
    reply = chats(m).get(m.tenant.id, only_chat(m)).messages[-1]
    assert (reply.delivery, reply.error_code) == ("failed", 131026)
    assert reply.error == (
        "WhatsApp no pudo entregarlo a este teléfono: puede que no tenga WhatsApp o que no "
        "haya aceptado sus últimos términos. Confirma el número con el cliente. "
        "(código de WhatsApp 131026)"
    )
    english = chats(m).get(m.tenant.id, only_chat(m), language="en").messages[-1].error or ""
    assert english.startswith("WhatsApp could not deliver it") and english.endswith("(WhatsApp code 131026)")
    # The provider's own answer stays stored for support and the logs.
    [(stored,)] = m.rows(m.tenant.id, "SELECT last_error FROM outbox WHERE state = 'failed'")
    assert stored.startswith("HTTP 400 code 131026")


def test_a_taken_over_chat_silences_the_bot_until_released(messaging: Messaging) -> None:
    m = messaging
    echo = EchoConversations()
    say(m, "wamid.H1", "hola")
    m.processor(echo).process(m.tenant.id)
    chat = only_chat(m)
    assert chats(m).takeover(m.tenant.id, chat, "ana.manager").state == "human"
    say(m, "wamid.H2", "¿me oyes?")
    m.processor(echo).process(m.tenant.id)
    assert len(echo.calls) == 1 and m.rows(m.tenant.id, "SELECT count(*) FROM outbox")[0][0] == 1
    summary = chats(m).list(m.tenant.id).items[0]
    assert (summary.state, summary.agent, summary.unread, summary.last_message_text) == (
        "human",
        "ana.manager",
        1,
        "¿me oyes?",
    )
    chats(m).release(m.tenant.id, chat, "ana.manager")
    say(m, "wamid.H3", "sigo aqui")
    m.processor(echo).process(m.tenant.id)
    assert [c[2].text for c in echo.calls] == ["hola", "sigo aqui"]
    with m.runtime.databases.control_session() as session:
        actions = list(
            session.scalars(
                sa.select(AuditEntry.action)
                .where(AuditEntry.tenant_id == m.tenant.id, AuditEntry.action.startswith("conversation."))
                .order_by(AuditEntry.id)
            )
        )
    assert actions[-2:] == ["conversation.takeover", "conversation.release"]


def test_a_persons_reply_goes_out_after_the_bots_in_order_once_and_is_audited(messaging: Messaging) -> None:
    m = messaging
    say(m, "wamid.R1", "hola")
    m.processor().process(m.tenant.id)
    chat = only_chat(m)
    sent = chats(m).send(m.tenant.id, chat, "Hola Ana, soy Luis. ¿En qué te ayudo?", actor="luis")
    assert (sent.direction, sent.author, sent.kind) == ("out", "luis", "human")
    assert chats(m).list(m.tenant.id).items[0].state == "human"  # replying took the chat over
    m.sender().send_due(m.tenant.id)
    m.sender().send_due(m.tenant.id)
    assert m.stand_in.sent_texts() == ["eco: hola", "Hola Ana, soy Luis. ¿En qué te ayudo?"]
    with m.runtime.databases.control_session() as session:
        detail = session.scalar(
            sa.select(AuditEntry.detail)
            .where(AuditEntry.tenant_id == m.tenant.id, AuditEntry.action == "conversation.message")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
    assert detail is not None and detail["conversation"] == chat


def test_outside_the_24_hour_window_a_free_text_reply_is_refused(messaging: Messaging) -> None:
    m = messaging
    say(m, "wamid.W1", "hola")
    m.processor().process(m.tenant.id)
    chat = only_chat(m)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
    assert chats(m, later).get(m.tenant.id, chat).reply_mode == "template"
    with pytest.raises(Conflict):
        chats(m, later).send(m.tenant.id, chat, "¿Sigues ahí?", actor="luis")
    assert m.rows(m.tenant.id, "SELECT count(*) FROM outbox WHERE author IS NOT NULL")[0][0] == 0


@pytest.mark.usefixtures("rules_restored")
def test_outside_the_window_a_reply_goes_out_as_the_tenants_handoff_template(messaging: Messaging) -> None:
    m = messaging
    say(m, "wamid.W2", "hola")
    m.processor().process(m.tenant.id)
    chat = only_chat(m)
    m.services.tenant_settings.update(
        m.tenant.id,
        "tests",
        TenantSettingsChange(handoff_template="respuesta_asesor", handoff_template_language="es_MX"),
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
    service = ChatService(m.runtime.databases, clock=lambda: later, contexts=m.services.contexts)
    detail = service.get(m.tenant.id, chat)
    assert (detail.reply_mode, detail.template) == ("template", "respuesta_asesor")
    sent = service.send(m.tenant.id, chat, "¿Sigues ahí?\nTe guardamos el pedido.", actor="luis")
    assert sent.template == "respuesta_asesor"
    m.sender(clock=lambda: later).send_due(m.tenant.id)  # queued at `later`, due then
    m.sender(clock=lambda: later).send_due(m.tenant.id)
    body = m.stand_in.accepted[-1].body
    assert body["type"] == "template" and body["template"] == {
        "name": "respuesta_asesor",
        "language": {"code": "es_MX"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "¿Sigues ahí? Te guardamos el pedido."}]}
        ],
    }
    assert service.get(m.tenant.id, chat).messages[-1].template == "respuesta_asesor"


@pytest.mark.usefixtures("rules_restored")
def test_a_reply_in_the_window_carries_the_template_for_when_the_window_closed_meanwhile(messaging: Messaging) -> None:
    m = messaging
    say(m, "wamid.W3", "hola")
    m.processor().process(m.tenant.id)
    chat = only_chat(m)
    m.services.tenant_settings.update(m.tenant.id, "tests", TenantSettingsChange(handoff_template="asesor"))
    m.sender().send_due(m.tenant.id)  # the bot's "eco: hola"
    m.stand_in.fail("131047")  # then the window closes before the person's reply reaches Meta
    service = ChatService(m.runtime.databases, contexts=m.services.contexts)
    assert service.send(m.tenant.id, chat, "Hola", actor="luis").template is None
    for _ in range(3):
        m.sender().send_due(m.tenant.id)
    assert m.stand_in.sent_texts() == ["eco: hola", "template:asesor"]
    assert m.stand_in.accepted[-1].body["template"]["language"] == {"code": "es"}


def test_the_handoff_flag_is_typed_not_read_from_the_reply_text(messaging: Messaging) -> None:
    m = messaging
    say(m, "wamid.P2", "persona")  # the echo bot's typed request for a person
    say(m, "wamid.P3", "Te comunico con una persona del equipo", sender="5215500000009")  # echoed, no flag
    m.processor().process(m.tenant.id)
    states = {c.customer_phone: (c.state, c.handoff_reason) for c in chats(m).list(m.tenant.id).items}
    assert states == {"+" + ANA: ("waiting", "asked"), "+5215500000009": ("bot", None)}


@pytest.mark.usefixtures("rules_restored")
def test_a_handoff_while_closed_says_closed_and_when_it_opens(messaging: Messaging) -> None:
    m = messaging
    nobody = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    zone = ZoneInfo(m.services.contexts.get(m.tenant.id).timezone)
    later = (dt.datetime.now(zone) + dt.timedelta(days=2)).strftime("%a").lower()  # closed today and tomorrow
    hours = OpeningHours(**{**nobody, later: [("09:00", "18:00")]})  # type: ignore[arg-type]
    m.services.tenant_settings.update(m.tenant.id, "tests", TenantSettingsChange(opening_hours=hours))
    say(m, "wamid.P4", "quiero hablar con alguien")
    image = {"type": "image", "image": {"id": "MEDIA9", "mime_type": "image/jpeg", "sha256": "x"}}
    m.post("meta", *meta_message("wamid.P5", "5215500000008", image))
    m.services.inbox.process(m.tenant.id)
    notices = [r[0] for r in m.rows(m.tenant.id, "SELECT payload->>'body' FROM outbox ORDER BY id")]
    assert len(notices) == 2
    for notice in notices:
        assert "persona" in notice and "cerrado" in notice and "9:00" in notice, notice


@pytest.mark.parametrize(
    "text", ["quiero hablar con alguien", "me pasas con un ASESOR?", "humano por favor", "can I talk to an agent"]
)
def test_asking_for_a_person_hands_the_chat_over_and_says_so(messaging: Messaging, text: str) -> None:
    m = messaging
    say(m, "wamid.P1", text)
    m.services.inbox.process(m.tenant.id)
    summary = chats(m).list(m.tenant.id).items[0]
    assert (summary.state, summary.handoff_reason) == ("waiting", "asked")
    [notice] = [r[0] for r in m.rows(m.tenant.id, "SELECT payload->>'body' FROM outbox")]
    assert "persona" in notice or "a person" in notice  # the bot answers in the customer's language


def test_an_image_without_caption_is_handed_to_a_person_and_a_caption_is_read(messaging: Messaging) -> None:
    m = messaging
    echo = EchoConversations()
    image = {"type": "image", "image": {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "x"}}
    m.post(
        "meta",
        *meta_message(
            "wamid.I1", "5215500000002", {**image, "image": {**image["image"], "caption": "quiero 2 de estas"}}
        ),
    )  # type: ignore[dict-item]
    m.post("meta", *meta_message("wamid.I2", ANA, image))
    m.processor(echo).process(m.tenant.id)
    assert [c[2].text for c in echo.calls] == ["quiero 2 de estas"]
    states = {c.customer_phone: c.state for c in chats(m).list(m.tenant.id).items}
    assert states == {"+5215500000002": "bot", "+" + ANA: "waiting"}


def test_two_misunderstandings_in_a_row_hand_the_chat_over(messaging: Messaging) -> None:
    m = messaging
    for i, text in enumerate(("hola", "xqzv wplk", "brrr mmm")):
        say(m, f"wamid.M{i}", text)
    m.services.inbox.process(m.tenant.id)
    summary = chats(m).list(m.tenant.id).items[0]
    assert (summary.state, summary.handoff_reason) == ("waiting", "misunderstood")


def test_a_waiting_chat_left_alone_past_the_idle_time_goes_back_to_the_bot(messaging: Messaging) -> None:
    m = messaging
    echo = EchoConversations()
    image = {"type": "image", "image": {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "x"}}
    m.post("meta", *meta_message("wamid.D1", ANA, image))
    m.processor(echo).process(m.tenant.id)
    assert chats(m).list(m.tenant.id).items[0].state == "waiting"
    say(m, "wamid.D2", "hola?")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)
    processor = m.processor(echo)
    processor._clock = lambda: later  # noqa: SLF001 -- the same processor, an hour on
    processor.process(m.tenant.id)
    assert [c[2].text for c in echo.calls] == ["hola?"]
    assert chats(m).list(m.tenant.id).items[0].state == "bot"


def test_another_tenants_conversation_is_not_found(messaging: Messaging, make_tenant) -> None:  # type: ignore[no-untyped-def]
    m = messaging
    say(m, "wamid.X1", "hola")
    m.processor().process(m.tenant.id)
    other = make_tenant()
    with pytest.raises(NotFound):
        chats(m).get(other.id, only_chat(m))
    with pytest.raises(NotFound):
        chats(m).takeover(other.id, only_chat(m), "mallory")


def test_the_feed_lists_new_orders_status_changes_and_waiting_chats(messaging: Messaging) -> None:
    m = messaging
    feed = ChangeFeed(m.runtime.databases)
    start = feed.since(m.tenant.id, None).cursor
    assert feed.since(m.tenant.id, start).items == ()
    s = m.runtime.services
    s.catalog.create_product(m.tenant.id, ProductInput(sku="FEED-1", name="Taco", price="10"))  # type: ignore[arg-type]
    buyer = s.customers.create(m.tenant.id, CustomerInput(phone="+5215599990000"))
    order = s.orders.create(
        m.tenant.id, OrderInput(customer_id=buyer.id, items=(OrderLineInput(quantity=1, sku="FEED-1"),)), actor="tests"
    )
    s.orders.change_status(m.tenant.id, order.id, "confirmed", actor="tests")
    say(m, "wamid.F1", "hablar con alguien")
    m.services.inbox.process(m.tenant.id)
    page = feed.since(m.tenant.id, start)
    assert [(c.kind, c.detail) for c in page.items] == [
        ("order", "new"),
        ("order", "confirmed"),
        ("conversation", "waiting"),
    ]
    assert page.items[0].ref == str(order.id) and page.items[2].ref == only_chat(m)
    assert feed.since(m.tenant.id, page.cursor).items == ()
    assert feed.since(m.tenant.id, page.cursor + 1000).reset
