"""Conversations end to end on a real tenant database: chat → order, status, expiry, carts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from comandia.server.chat.model import CustomerRef, Inbound, Reply, TenantContext
from comandia.server.db.tenant_models import ChatSession, Order
from comandia.server.services.messaging.conversations import ConversationService
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.server.wiring import Collaborators, Runtime, build_services
from comandia.shared.schemas.catalog import CategoryInput, ProductInput
from tests.plugins.clock import Clock
from tests.plugins.tenants import MakeTenant

ANA = CustomerRef(wa_id="5215512345678", user_id=None, phone_e164="+5215512345678", profile_name="Ana")
NUMBER = "7"


pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def seed_menu(runtime: Runtime, tenant_id: str) -> None:
    """Pizzas (margarita 120, pepperoni 140), drinks (Coca-Cola 25 with stock 5), one sold out."""
    catalog = runtime.services.catalog
    pizzas = catalog.create_category(tenant_id, CategoryInput("Pizzas", 1)).id
    drinks = catalog.create_category(tenant_id, CategoryInput("Bebidas", 2)).id
    for sku, name, price, category, extra in (
        ("PZ-MAR", "Pizza margarita", "120", pizzas, {}),
        ("PZ-PEP", "Pizza pepperoni", "140", pizzas, {}),
        ("COCA", "Coca-Cola", "25", drinks, {"stock": 5}),
        ("AGUA", "Agua de jamaica", "20", drinks, {"available": False}),
    ):
        catalog.create_product(
            tenant_id,
            ProductInput(sku=sku, name=name, price=Decimal(price), category_id=category, **extra),  # type: ignore[arg-type]
        )


@pytest.fixture
def shop(runtime: Runtime, make_tenant: MakeTenant) -> tuple[TenantContext, ConversationService, Clock]:
    tenant = make_tenant(name=None)
    seed_menu(runtime, tenant.id)
    clock = Clock(dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC))
    config = dataclasses.replace(runtime.config, chat_idle_minutes=30)
    service = build_services(config, runtime.databases, Collaborators(clock=clock)).conversations
    return runtime.services.contexts.get(tenant.id), service, clock


def text(body: str) -> Inbound:
    return Inbound(kind="text", text=body)


def say(service: ConversationService, tenant: TenantContext, message: Inbound | str, who: CustomerRef = ANA) -> Reply:
    replies = service.handle(tenant, NUMBER, who, text(message) if isinstance(message, str) else message)
    assert len(replies) == 1
    return replies[0]


def orders(runtime: Runtime, tenant_id: str) -> list[Order]:
    with runtime.databases.tenant_session(tenant_id) as session:
        found = list(session.scalars(sa.select(Order).order_by(Order.id)))
        for order in found:
            _ = order.items
        return found


def chat_to_summary(service: ConversationService, tenant: TenantContext) -> Reply:
    say(service, tenant, "hola")
    reply = say(service, tenant, "quiero 2 pizzas margarita y una coca")
    assert "2 × Pizza margarita" in reply.body and "1 × Coca-Cola" in reply.body
    assert "$265.00" in reply.body
    say(service, tenant, Inbound(kind="button", reply_id="checkout"))
    say(service, tenant, Inbound(kind="button", reply_id="usename"))
    say(service, tenant, "Av. Reforma 222, depto 3")
    reply = say(service, tenant, "Ciudad de México")
    assert reply.body.startswith("Revisa tu pedido") and [b[0] for b in reply.buttons][0] == "confirm"
    return reply


def test_a_whole_chat_places_a_whatsapp_order_and_tells_its_number(
    runtime: Runtime, shop: tuple[TenantContext, ConversationService, Clock]
) -> None:
    tenant, service, _ = shop
    chat_to_summary(service, tenant)
    reply = say(service, tenant, Inbound(kind="button", reply_id="confirm"))
    [order] = orders(runtime, tenant.tenant_id)
    assert f"#{order.number}" in reply.body and "$265.00" in reply.body
    assert (order.status, order.channel, order.total) == ("new", "whatsapp", Decimal("265.00"))
    assert [(i.sku, i.quantity) for i in order.items] == [("PZ-MAR", 2), ("COCA", 1)]
    assert (order.delivery_address, order.delivery_city) == ("Av. Reforma 222, depto 3", "Ciudad de México")
    assert (order.customer_name, order.customer_phone) == ("Ana", "+5215512345678")
    with runtime.databases.tenant_session(tenant.tenant_id) as session:
        row = session.scalar(sa.select(ChatSession))
        assert row is not None and row.customer_id == order.customer_id and row.state["cart"] == []


def test_a_repeated_confirm_does_not_place_a_second_order(
    runtime: Runtime, shop: tuple[TenantContext, ConversationService, Clock]
) -> None:
    tenant, service, _ = shop
    chat_to_summary(service, tenant)
    first = say(service, tenant, Inbound(kind="button", reply_id="confirm"))
    again = say(service, tenant, Inbound(kind="button", reply_id="confirm"))
    [order] = orders(runtime, tenant.tenant_id)
    assert f"#{order.number}" in first.body and f"#{order.number}" in again.body
    assert "ya está registrado" in again.body


def test_a_confirm_replayed_after_a_lost_state_finds_the_order_by_its_key(
    runtime: Runtime, shop: tuple[TenantContext, ConversationService, Clock]
) -> None:
    tenant, service, _ = shop
    chat_to_summary(service, tenant)
    with runtime.databases.tenant_session(tenant.tenant_id) as session:
        saved = dict(session.scalars(sa.select(ChatSession)).one().state)
    say(service, tenant, Inbound(kind="button", reply_id="confirm"))
    with runtime.databases.tenant_session(tenant.tenant_id) as session:  # as if our commit was lost
        session.scalars(sa.select(ChatSession)).one().state = saved
        session.commit()
    reply = say(service, tenant, Inbound(kind="button", reply_id="confirm"))
    [order] = orders(runtime, tenant.tenant_id)
    assert f"#{order.number}" in reply.body


def test_estado_tells_the_latest_orders_status(
    runtime: Runtime, shop: tuple[TenantContext, ConversationService, Clock]
) -> None:
    tenant, service, _ = shop
    assert "Todavía no tienes pedidos" in say(service, tenant, "estado").body
    chat_to_summary(service, tenant)
    say(service, tenant, "sí")
    [order] = orders(runtime, tenant.tenant_id)
    runtime.services.orders.change_status(tenant.tenant_id, order.id, "confirmed", actor="ana")
    reply = say(service, tenant, "Estado")
    assert f"#{order.number}" in reply.body and "confirmado" in reply.body
    note = service.status_notification(tenant, order.number, "shipped")
    assert f"#{order.number}" in note.body and "en camino" in note.body


def test_an_expired_session_starts_over(shop: tuple[TenantContext, ConversationService, Clock]) -> None:
    tenant, service, clock = shop
    say(service, tenant, "2 x margarita")
    clock.now += dt.timedelta(minutes=31)
    reply = say(service, tenant, "carrito")
    assert "se cerró por inactividad" in reply.body and "carrito está vacío" in reply.body
    clock.now += dt.timedelta(minutes=29)
    assert "se cerró" not in say(service, tenant, "2 x margarita").body


def test_a_native_catalog_order_becomes_the_cart(
    shop: tuple[TenantContext, ConversationService, Clock],
) -> None:
    tenant, service, _ = shop
    say(service, tenant, "una coca")
    reply = say(service, tenant, Inbound(kind="order", order_items=(("PZ-PEP", 2), ("NOPE", 1))))
    assert "2 × Pizza pepperoni" in reply.body and "Coca-Cola" not in reply.body
    assert "NOPE" in reply.body and "$280.00" in reply.body
    assert [b[0] for b in reply.buttons] == ["checkout", "menu", "cart"]


def test_unknown_and_unavailable_products_get_a_helpful_answer(
    shop: tuple[TenantContext, ConversationService, Clock],
) -> None:
    tenant, service, _ = shop
    reply = say(service, tenant, "quiero una hamburguesa")
    assert "No tenemos «hamburguesa»" in reply.body and reply.buttons[0][0] == "menu"
    reply = say(service, tenant, "agua de jamaica")
    assert "no tenemos «agua de jamaica»: se nos acabó Agua de jamaica" in reply.body
    reply = say(service, tenant, "6 cocas")
    assert "Solo nos quedan 5 de Coca-Cola" in reply.body


def test_sold_out_meanwhile_answers_and_keeps_the_cart(
    runtime: Runtime, shop: tuple[TenantContext, ConversationService, Clock]
) -> None:
    tenant, service, _ = shop
    chat_to_summary(service, tenant)
    catalog = runtime.services.catalog
    coca = catalog.get_product_by_sku(tenant.tenant_id, "COCA")
    catalog.set_available(tenant.tenant_id, coca.id, False)
    reply = say(service, tenant, "confirmar")
    assert "No pude registrar el pedido" in reply.body and "Coca-Cola" in reply.body
    assert orders(runtime, tenant.tenant_id) == []


def test_english_tenant_and_text_overrides(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant(locale="en", currency="USD")
    seed_menu(runtime, tenant.id)
    with runtime.databases.control_session() as session:
        from comandia.server.db.control_models import Tenant

        row = session.get(Tenant, tenant.id)
        assert row is not None
        row.settings = {**row.settings, "texts": {"welcome": "Howdy from {business}!", "bad": "{nope}"}}
        session.commit()
    context = TenantContexts(runtime.databases).get(tenant.id)  # a fresh read: the row was edited by hand
    service = runtime.services.conversations
    reply = say(service, context, "I want two margarita pizzas")
    assert reply.body.startswith(f"Howdy from {tenant.name}!")
    assert "Added: 2 × Pizza margarita" in reply.body and "$240.00" in reply.body


def test_a_customer_without_a_phone_is_asked_for_one(
    runtime: Runtime, shop: tuple[TenantContext, ConversationService, Clock]
) -> None:
    tenant, service, _ = shop
    who = CustomerRef(wa_id=None, user_id="MX.88123", phone_e164=None, profile_name=None)
    for message in ("2 x margarita", "finalizar", "Luis", "Calle 1", "Puebla"):
        say(service, tenant, message, who)
    assert "teléfono no parece válido" in say(service, tenant, "abc", who).body
    assert say(service, tenant, "+52 222 123 4567", who).body.startswith("Revisa tu pedido")
    say(service, tenant, "1", who)
    [order] = orders(runtime, tenant.tenant_id)
    assert (order.customer_phone, order.customer_name) == ("+522221234567", "Luis")


def test_confirmations_racing_from_two_workers_place_one_order(
    runtime: Runtime, shop: tuple[TenantContext, ConversationService, Clock]
) -> None:
    tenant, service, _ = shop
    chat_to_summary(service, tenant)
    barrier = threading.Barrier(3)
    replies: list[Reply] = []

    def confirm() -> None:
        barrier.wait()
        replies.extend(service.handle(tenant, NUMBER, ANA, Inbound(kind="button", reply_id="confirm")))

    workers = [threading.Thread(target=confirm) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    [order] = orders(runtime, tenant.tenant_id)
    assert len(replies) == 3 and all(f"#{order.number}" in reply.body for reply in replies)
