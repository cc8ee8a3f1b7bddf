"""The business is told of each new order: a ticket on WhatsApp (through the outbox) and by e-mail
(a real SMTP client against a loopback aiosmtpd), once, retried, and failures kept in sight."""

from __future__ import annotations

import datetime as dt
import logging
import ssl
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from comandia.server.chat.model import TenantContext
from comandia.server.providers.mail import MailError, SmtpMailer, SmtpSettings
from comandia.server.services.messaging.alerts import CRASH_REASON, NO_NUMBER, NO_TEMPLATE, OrderAlertService
from comandia.server.services.messaging.tickets import order_ticket
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.orders import OrderDetail, OrderInput, OrderItemInfo, OrderLineInput
from comandia.shared.schemas.tenants import TenantSettingsChange
from tests.plugins.messaging import Messaging
from tests.plugins.smtp import SmtpStandIn, free_port, login_checker, self_signed, serve_smtp, server_tls

ALERT_PHONE = "+52 55 9999 0001"
ALERT_WA = "525599990001"


@pytest.fixture
def smtp() -> Iterator[SmtpStandIn]:
    yield from serve_smtp()


def plain(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, tls="none", sender="pedidos@comandia.example", timeout=2)


def alert_service(m: Messaging, settings: SmtpSettings, **options: object) -> OrderAlertService:
    return OrderAlertService(
        m.runtime.databases,
        m.directory,
        SmtpMailer(settings),
        m.contexts,
        backoff_base=0.0,
        jitter=lambda: 0.0,
        **options,
    )  # type: ignore[arg-type]


def place_order(m: Messaging, recipients: tuple[str, ...], channel: str = "whatsapp", **fields: object) -> OrderDetail:
    """Set the tenant's `order_alerts` and place an order through the real order service."""
    tenant_id = m.tenant.id
    m.services.tenant_settings.update(tenant_id, "tests", TenantSettingsChange(order_alerts=recipients))
    catalog = m.services.catalog
    if not catalog.list_products(tenant_id, text="ALERTACO"):
        catalog.create_product(tenant_id, ProductInput(sku="ALERTACO", name="Taco al pastor", price=Decimal("1490")))
    customer = m.services.customers.find_or_create(tenant_id, phone="+52 55 1234 0000", wa_id=None, name="Ana López")
    data = OrderInput(
        customer_id=customer.id,
        items=(OrderLineInput(quantity=2, sku="ALERTACO", note="sin cebolla"),),
        channel=channel,
        delivery_fee=Decimal("30"),
        delivery_address="Calle Orizaba 10",
        delivery_city="Roma Norte",
        **fields,
    )  # type: ignore[arg-type]
    return m.services.orders.create(tenant_id, data, actor="whatsapp")


def alerts_of(m: Messaging, order_id: int) -> list[tuple[str, str, str, int | None]]:
    return [
        tuple(r)
        for r in m.rows(
            m.tenant.id,
            "SELECT channel, recipient, state, outbox_id FROM order_alerts WHERE order_id = :o ORDER BY recipient",
            o=order_id,
        )
    ]


def test_a_new_order_reaches_the_business_on_whatsapp_and_by_email_once(
    messaging: Messaging, smtp: SmtpStandIn
) -> None:
    messaging.say("wamid.AL1", "hola", sender=ALERT_WA)  # within 24 hours: WhatsApp takes free text
    order = place_order(
        messaging,
        (ALERT_PHONE, "Cocina@Example.com"),
        fulfilment="delivery",
        delivery_zone="Roma",
        payment_method="cash",
        pay_with=Decimal("3100"),
    )
    assert [(c, r, s) for c, r, s, _ in alerts_of(messaging, order.id)] == [
        ("whatsapp", "+525599990001", "queued"),
        ("email", "cocina@example.com", "queued"),
    ]
    alerts = alert_service(messaging, plain(smtp.port))
    assert alerts.send_due(messaging.tenant.id) == 2
    messaging.sender().send_due(messaging.tenant.id)
    [ticket] = messaging.stand_in.sent_texts(ALERT_WA)
    assert ticket.startswith(f"🛎️ Pedido nuevo #{order.number}")
    for part in (
        "2 × Taco al pastor: $2,980.00 (sin cebolla)",
        "Envío (Roma): $30.00",
        "Total: $3,010.00",
        "Entregar en: Calle Orizaba 10, Roma Norte",
        "Pago: efectivo",
        "Paga con $3,100.00 (cambio $90.00)",
        "Cliente: Ana López +525512340000",
    ):
        assert part in ticket, part
    [mail] = smtp.mailbox.messages
    assert mail["To"] == "cocina@example.com" and mail["From"] == "pedidos@comandia.example"
    assert mail["Subject"] == f"Pedido nuevo #{order.number} — {messaging.tenant.name}"
    assert mail.get_content().replace("\r\n", "\n").strip() == ticket
    # Never twice: another pass, a status change or an edit alert nobody again.
    assert alerts.send_due(messaging.tenant.id) == 0
    messaging.services.orders.change_status(messaging.tenant.id, order.id, "confirmed", actor="gerente")
    assert alerts.send_due(messaging.tenant.id) == 0
    messaging.sender().send_due(messaging.tenant.id)
    assert len(messaging.stand_in.sent_texts(ALERT_WA)) == 1 and len(smtp.mailbox.messages) == 1
    listed = {a.channel: a for a in alerts.recent(messaging.tenant.id)}
    assert (listed["whatsapp"].state, listed["email"].state) == ("sent", "sent")
    assert listed["email"].order_number == order.number and listed["email"].sent_at is not None


@pytest.mark.usefixtures("rules_restored")
def test_outside_the_window_a_whatsapp_alert_goes_as_the_handoff_template(messaging: Messaging) -> None:
    m = messaging  # the alert phone never wrote to the business: free text would be refused
    m.services.tenant_settings.update(
        m.tenant.id, "tests", TenantSettingsChange(handoff_template="aviso_pedido", handoff_template_language="es_MX")
    )
    order = place_order(m, (ALERT_PHONE,))
    alerts = alert_service(m, SmtpSettings(host=None))
    assert alerts.send_due(m.tenant.id) == 1
    m.sender().send_due(m.tenant.id)
    [sent] = [r.body for r in m.stand_in.accepted if r.body["to"] == ALERT_WA]
    assert sent["type"] == "template" and sent["template"]["name"] == "aviso_pedido"
    assert sent["template"]["language"] == {"code": "es_MX"}
    [parameter] = sent["template"]["components"][0]["parameters"]
    assert parameter["text"].startswith(f"🛎️ Pedido nuevo #{order.number}") and "\n" not in parameter["text"]
    assert "2 × Taco al pastor: $2,980.00 (sin cebolla)" in parameter["text"]
    [listed] = [a for a in alerts.recent(m.tenant.id) if a.order_id == order.id]
    assert (listed.state, listed.last_error) == ("sent", None)


@pytest.mark.usefixtures("rules_restored")
def test_an_alert_the_provider_refuses_as_outside_the_window_goes_again_as_the_template(messaging: Messaging) -> None:
    m = messaging
    m.say("wamid.AL2", "hola", sender=ALERT_WA)
    m.services.tenant_settings.update(m.tenant.id, "tests", TenantSettingsChange(handoff_template="aviso_pedido"))
    place_order(m, (ALERT_PHONE,))
    alerts = alert_service(m, SmtpSettings(host=None))
    assert alerts.send_due(m.tenant.id) == 1
    m.stand_in.fail("131047")  # the window closed before the ticket reached Meta
    for _ in range(3):
        m.sender().send_due(m.tenant.id)
    assert m.stand_in.sent_texts(ALERT_WA) == ["template:aviso_pedido"]


def test_outside_the_window_without_a_template_the_alert_fails_with_the_reason(messaging: Messaging) -> None:
    m = messaging
    order = place_order(m, (ALERT_PHONE,))
    alerts = alert_service(m, SmtpSettings(host=None))
    alerts.send_due(m.tenant.id)
    m.sender().send_due(m.tenant.id)
    assert m.stand_in.sent_texts(ALERT_WA) == []
    assert m.rows(m.tenant.id, "SELECT count(*) FROM outbox")[0][0] == 0
    [listed] = [a for a in alerts.recent(m.tenant.id) if a.order_id == order.id]
    assert listed.state == "failed" and (listed.last_error or "").startswith(
        "el teléfono de avisos no ha escrito al número de WhatsApp del negocio en las últimas 24 horas"
    )
    [listed] = [a for a in alerts.recent(m.tenant.id, language="en") if a.order_id == order.id]
    assert (listed.state, listed.last_error) == ("failed", NO_TEMPLATE)


def test_the_ticket_shows_time_in_the_tenants_zone_and_english_when_the_tenant_speaks_it() -> None:
    tenant = TenantContext(
        tenant_id="t", business_name="Joe's", locale="en", currency="MXN", timezone="America/Mexico_City"
    )
    at = dt.datetime(2026, 12, 5, 19, 5, tzinfo=dt.UTC)  # 13:05 in Mexico City
    order = OrderDetail(
        id=1,
        number=42,
        status="new",
        channel="whatsapp",
        customer_id=1,
        customer_name="Ana",
        customer_phone="+525512345678",
        delivery_address=None,
        delivery_city=None,
        delivery_region=None,
        notes="ring twice",
        subtotal=Decimal("50"),
        delivery_fee=Decimal("0"),
        total=Decimal("50"),
        currency="MXN",
        extra={},
        version=1,
        created_at=at,
        updated_at=at,
        confirmed_at=None,
        shipped_at=None,
        completed_at=None,
        cancelled_at=None,
        cancel_reason=None,
        fulfilment="pickup",
        delivery_zone=None,
        payment_method="transfer",
        pay_with=None,
        items=(
            OrderItemInfo(
                id=1,
                product_id=1,
                sku="T",
                name="Taco",
                unit_price=Decimal("25"),
                quantity=2,
                line_total=Decimal("50"),
                note=None,
            ),
        ),
        history=(),
        allowed_next=(),
    )
    subject, body = order_ticket(tenant, order)
    assert subject == "New order #42 — Joe's"
    assert [line.replace("\u202f", " ") for line in body.splitlines()[:2]] == ["🛎️ New order #42", "5/12/2026 1:05 p.m."]
    assert "Pickup at the business" in body and "Payment: bank transfer" in body and "Notes: ring twice" in body
    assert "Delivery" not in body  # no fee, no delivery line
    spanish = order_ticket(
        TenantContext(
            tenant_id="t", business_name="Doña Rosa", locale="es", currency="MXN", timezone="America/Mexico_City"
        ),
        order,
    )[1]
    assert "Recoge en el negocio" in spanish and "Pago: transferencia bancaria" in spanish


def test_an_email_alert_is_retried_while_the_server_is_down_and_sent_once_it_is_back(
    messaging: Messaging, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nobody listens yet
    order = place_order(messaging, ("cocina@example.com",))
    alerts = alert_service(messaging, plain(port))
    with caplog.at_level(logging.WARNING, logger="comandia.server.services.messaging.alerts"):
        assert alerts.send_due(messaging.tenant.id) == 1
        assert alerts.send_due(messaging.tenant.id) == 1  # due again at once (no backoff in this test)
    [listed] = [a for a in alerts.recent(messaging.tenant.id) if a.order_id == order.id]
    assert (listed.state, listed.attempts) == ("queued", 2) and "ConnectionRefusedError" in (listed.last_error or "")
    assert "e-mail failed (try 2" in caplog.text and "cocina@" not in caplog.text  # no addresses in logs
    for stand_in in serve_smtp(port):
        assert alerts.send_due(messaging.tenant.id) == 1
        assert alerts.send_due(messaging.tenant.id) == 0
        assert len(stand_in.mailbox.messages) == 1
    [listed] = [a for a in alerts.recent(messaging.tenant.id) if a.order_id == order.id]
    assert (listed.state, listed.attempts, listed.last_error) == ("sent", 3, None)


def test_an_email_alert_gives_up_after_its_attempts_and_a_refused_one_at_once(
    messaging: Messaging, smtp: SmtpStandIn
) -> None:
    smtp.mailbox.refuse.add("nadie@example.com")
    order = place_order(messaging, ("nadie@example.com",))
    alerts = alert_service(messaging, plain(smtp.port))
    alerts.send_due(messaging.tenant.id)
    [refused] = [a for a in alerts.recent(messaging.tenant.id) if a.order_id == order.id]
    assert refused.state == "failed" and refused.attempts == 1
    assert (refused.last_error or "").startswith("destinatario rechazado: 550")  # the server's answer as it came
    down = place_order(messaging, ("cocina@example.com",))
    flaky = alert_service(messaging, plain(free_port()), max_attempts=3)
    for _ in range(5):
        flaky.send_due(messaging.tenant.id)
    [gave_up] = [a for a in flaky.recent(messaging.tenant.id) if a.order_id == down.id]
    assert (gave_up.state, gave_up.attempts) == ("failed", 3)


def test_without_smtp_or_a_whatsapp_number_an_alert_fails_with_the_reason(messaging: Messaging) -> None:
    order = place_order(messaging, ("cocina@example.com", ALERT_PHONE))
    with messaging.runtime.databases.control_session() as session:
        session.execute(
            sa.text("UPDATE whatsapp_numbers SET state = 'paused' WHERE tenant_id = :t"), {"t": messaging.tenant.id}
        )
        session.commit()
    messaging.directory.forget()
    alerts = alert_service(messaging, SmtpSettings(host=None))
    alerts.send_due(messaging.tenant.id)
    listed = {a.channel: a for a in alerts.recent(messaging.tenant.id, language="en") if a.order_id == order.id}
    assert listed["email"].state == "failed" and "COMANDIA_SMTP_HOST" in (listed["email"].last_error or "")
    assert listed["whatsapp"].state == "failed" and listed["whatsapp"].last_error == NO_NUMBER
    listed = {a.channel: a for a in alerts.recent(messaging.tenant.id) if a.order_id == order.id}
    assert listed["email"].last_error == "no hay un servidor SMTP configurado en este equipo (COMANDIA_SMTP_HOST)"
    assert listed["whatsapp"].last_error == (
        "el negocio no tiene un número de WhatsApp activo desde el que enviar el aviso"
    )


def test_an_email_alert_left_sending_by_a_crash_is_marked_failed_never_resent(
    messaging: Messaging, smtp: SmtpStandIn
) -> None:
    order = place_order(messaging, ("cocina@example.com",))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    with messaging.runtime.databases.tenant_session(messaging.tenant.id) as session:  # claimed, then the crash
        session.execute(
            sa.text("UPDATE order_alerts SET state = 'sending', attempts = 1, claimed_at = now() WHERE order_id = :o"),
            {"o": order.id},
        )
        session.commit()
    alerts = alert_service(messaging, plain(smtp.port), clock=lambda: later)
    assert alerts.recover_stale(messaging.tenant.id) >= 1
    assert alerts.send_due(messaging.tenant.id) == 0 and smtp.mailbox.messages == []
    [listed] = [a for a in alerts.recent(messaging.tenant.id, language="en") if a.order_id == order.id]
    assert (listed.state, listed.last_error) == ("failed", CRASH_REASON)


def test_imported_orders_and_tenants_without_alerts_tell_nobody(messaging: Messaging) -> None:
    imported = place_order(messaging, ("cocina@example.com",), channel="import")
    assert alerts_of(messaging, imported.id) == []
    quiet = place_order(messaging, ())
    assert alerts_of(messaging, quiet.id) == []


def test_a_test_chats_order_alerts_the_kitchen_as_a_test_and_tells_its_customer_nothing(
    messaging: Messaging, smtp: SmtpStandIn
) -> None:
    customer_wa = "525512340000"  # place_order's customer, who also wrote on WhatsApp: a notice could reach them
    messaging.say("wamid.TEST1", "hola", sender=customer_wa)
    outbox = "SELECT count(*) FROM outbox WHERE customer_wa_id = :k"
    test = place_order(messaging, ("cocina@example.com",), channel="sandbox")
    real = place_order(messaging, ("cocina@example.com",))
    assert alert_service(messaging, plain(smtp.port)).send_due(messaging.tenant.id) == 2
    subjects = sorted(str(mail["Subject"]) for mail in smtp.mailbox.messages)
    assert subjects == [
        f"PRUEBA, no preparar: Pedido nuevo #{test.number} — {messaging.tenant.name}",
        f"Pedido nuevo #{real.number} — {messaging.tenant.name}",
    ]
    [test_mail] = [m for m in smtp.mailbox.messages if str(m["Subject"]).startswith("PRUEBA")]
    first_lines = test_mail.get_content().splitlines()[:2]
    assert first_lines == ["🧪 Pedido de prueba del chat de prueba: no lo prepare", f"🛎️ Pedido nuevo #{test.number}"]
    [(before,)] = messaging.rows(messaging.tenant.id, outbox, k=customer_wa)
    messaging.services.orders.change_status(messaging.tenant.id, test.id, "confirmed", actor="gerente")
    assert messaging.rows(messaging.tenant.id, outbox, k=customer_wa) == [(before,)]  # nobody bought it
    messaging.services.orders.change_status(messaging.tenant.id, real.id, "confirmed", actor="gerente")
    assert messaging.rows(messaging.tenant.id, outbox, k=customer_wa) == [(before + 1,)]  # a real one is told


def test_the_smtp_client_speaks_starttls_and_logs_in(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=str(cert))
    for stand_in in serve_smtp(
        tls_context=server_tls(cert, key),
        require_starttls=True,
        authenticator=login_checker("pedidos", "s3creta"),
        auth_require_tls=True,
        auth_exclude_mechanism=["LOGIN"],
    ):  # smtplib's LOGIN and aiosmtpd's disagree
        good = SmtpSettings(
            host="127.0.0.1",
            port=stand_in.port,
            tls="starttls",
            user="pedidos",
            password="s3creta",
            tls_context=trust,
            timeout=3,
        )
        SmtpMailer(good).send("cocina@example.com", "Pedido nuevo #1", "Hola")
        assert [m["Subject"] for m in stand_in.mailbox.messages] == ["Pedido nuevo #1"]
        with pytest.raises(MailError) as wrong_password:
            SmtpMailer(SmtpSettings(**{**good.__dict__, "password": "otra"})).send("a@example.com", "x", "y")
        assert wrong_password.value.permanent and "535" in wrong_password.value.detail
        with pytest.raises(MailError) as untrusted:  # the system CAs do not know this certificate
            SmtpMailer(SmtpSettings(**{**good.__dict__, "tls_context": None})).send("a@example.com", "x", "y")
        assert not untrusted.value.permanent and "SSL" in untrusted.value.detail
        with pytest.raises(MailError) as cleartext:  # the server requires STARTTLS first
            SmtpMailer(SmtpSettings(host="127.0.0.1", port=stand_in.port, tls="none")).send("a@example.com", "x", "y")
        assert "530" in cleartext.value.detail
    assert len(stand_in.mailbox.messages) == 1
