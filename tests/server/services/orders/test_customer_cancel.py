"""Cancel by chat: a customer cancels their latest order while it is new and within the tenant's limit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from comandia.server.chat.model import CustomerRef, Inbound
from comandia.server.services.orders.orders import CHAT_ACTOR, CustomerCancel
from comandia.server.wiring import Collaborators, Runtime, build_services
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderDetail, OrderInput, OrderLineInput, OrderQuery, OrderSummary
from comandia.shared.schemas.rules import BusinessRules
from tests.plugins.clock import Clock
from tests.plugins.tenants import MakeTenant

ANA = CustomerRef(wa_id="5215512345678", user_id=None, phone_e164="+5215512345678", profile_name="Ana")
REASON = "cancelado por el cliente en el chat"


pytestmark = pytest.mark.usefixtures("release_tenant_connections")


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 12, 5, 20, 0, tzinfo=dt.UTC))


def shop(runtime: Runtime, make_tenant: MakeTenant) -> str:
    tenant = make_tenant()
    runtime.services.catalog.create_product(
        tenant.id, ProductInput(sku="TACO", name="Taco al pastor", price=Decimal("25"), stock=10)
    )
    return tenant.id


def test_the_service_cancels_only_the_latest_new_order_in_time(
    runtime: Runtime, make_tenant: MakeTenant, clock: Clock
) -> None:
    tenant_id = shop(runtime, make_tenant)
    orders = build_services(runtime.config, runtime.databases, Collaborators(clock=clock)).orders
    customers = runtime.services.customers
    ana = customers.create(tenant_id, CustomerInput(phone="+52 55 1234 5678", name="Ana")).id
    beto = customers.create(tenant_id, CustomerInput(phone="+52 55 8765 4321", name="Beto")).id

    def place(customer_id: int) -> OrderDetail:
        return orders.create(tenant_id, OrderInput(customer_id, (OrderLineInput(2, sku="TACO"),)), actor="test")

    first = place(ana)
    clock.now += dt.timedelta(minutes=1)
    second = place(ana)
    other = place(beto)
    # 0 minutes is "never by chat", even for an order placed this very instant.
    assert orders.cancel_by_customer(tenant_id, other.number, beto, 0, REASON) == (CustomerCancel.NOT_BY_CHAT, "new")
    assert runtime.services.catalog.get_product_by_sku(tenant_id, "TACO").stock == 4
    # Not the customer's latest, or not theirs at all.
    assert orders.cancel_by_customer(tenant_id, first.number, ana, None, REASON) == (CustomerCancel.NOT_FOUND, "")
    assert orders.cancel_by_customer(tenant_id, other.number, ana, None, REASON) == (CustomerCancel.NOT_FOUND, "")
    # Past the tenant's limit (0: never by chat).
    clock.now += dt.timedelta(minutes=10, seconds=1)
    assert orders.cancel_by_customer(tenant_id, second.number, ana, 10, REASON)[0] is CustomerCancel.TOO_LATE
    assert orders.cancel_by_customer(tenant_id, other.number, beto, 0, REASON)[0] is CustomerCancel.NOT_BY_CHAT
    assert orders.cancel_by_customer(tenant_id, second.number, ana, 11, REASON) == (CustomerCancel.CANCELLED,
                                                                                    "cancelled")  # fmt: skip
    cancelled = orders.get(tenant_id, second.id)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_at) == ("cancelled", REASON, clock.now)
    assert (cancelled.history[-1].actor, cancelled.history[-1].reason) == (CHAT_ACTOR, REASON)
    assert runtime.services.catalog.get_product_by_sku(tenant_id, "TACO").stock == 6  # stock given back
    assert orders.cancel_by_customer(tenant_id, second.number, ana, None, REASON) == (CustomerCancel.ALREADY,
                                                                                      "cancelled")  # fmt: skip
    orders.change_status(tenant_id, other.id, "confirmed", actor="manager")
    assert orders.cancel_by_customer(tenant_id, other.number, beto, None, REASON) == (CustomerCancel.NOT_NEW,
                                                                                      "confirmed")  # fmt: skip


def chat(runtime: Runtime, tenant_id: str, clock: Clock, cancel_minutes: int | None) -> Callable[[str | Inbound], str]:
    tenant = dataclasses.replace(
        runtime.services.contexts.get(tenant_id), rules=BusinessRules(customer_cancel_minutes=cancel_minutes)
    )
    service = build_services(runtime.config, runtime.databases, Collaborators(clock=clock)).conversations

    def say(message: str | Inbound) -> str:
        inbound = Inbound(kind="text", text=message) if isinstance(message, str) else message
        return "\n".join(r.body for r in service.handle(tenant, "7", ANA, inbound))

    return say


def ordered_by_chat(
    runtime: Runtime,
    make_tenant: MakeTenant,
    clock: Clock,
    cancel_minutes: int,
) -> tuple[str, Callable[[str | Inbound], str], OrderSummary]:
    """A shop whose customers may cancel for `cancel_minutes`, and Ana's order placed in its chat:
    the tenant, Ana's side of the chat, and the order."""
    tenant_id = shop(runtime, make_tenant)
    say = chat(runtime, tenant_id, clock, cancel_minutes)
    say("hola")
    say("quiero 2 tacos al pastor")
    say(Inbound(kind="button", reply_id="checkout"))
    say(Inbound(kind="button", reply_id="usename"))
    say("Av. Reforma 222")
    say("Puebla")
    assert "#" in say(Inbound(kind="button", reply_id="confirm"))
    [summary] = runtime.services.orders.list(tenant_id, OrderQuery()).items
    return tenant_id, say, summary


def test_a_customer_cancels_by_chat_and_the_managers_see_why(
    runtime: Runtime, make_tenant: MakeTenant, clock: Clock
) -> None:
    tenant_id, say, summary = ordered_by_chat(runtime, make_tenant, clock, cancel_minutes=15)
    clock.now += dt.timedelta(minutes=5)
    answer = say("mejor cancélalo porfa")
    assert f"cancelé tu pedido *#{summary.number}*" in answer
    order = runtime.services.orders.get(tenant_id, summary.id)
    assert (order.status, order.cancel_reason, order.history[-1].actor) == ("cancelled", REASON, CHAT_ACTOR)
    assert "ya estaba cancelado" in say("cancela mi pedido")


def test_a_late_or_confirmed_order_is_not_cancelled_and_the_customer_is_told(
    runtime: Runtime, make_tenant: MakeTenant, clock: Clock
) -> None:
    tenant_id, say, summary = ordered_by_chat(runtime, make_tenant, clock, cancel_minutes=10)
    clock.now += dt.timedelta(minutes=11)
    answer = say("cancela mi pedido")
    assert "ya no se puede cancelar" in answer and "cancelé" not in answer
    assert runtime.services.orders.get(tenant_id, summary.id).status == "new"
    clock.now -= dt.timedelta(minutes=10)
    runtime.services.orders.change_status(tenant_id, summary.id, "confirmed", actor="gerente")
    answer = say("cancela mi pedido")
    assert "ya está confirmado" in answer and "cancelé" not in answer
    assert runtime.services.orders.get(tenant_id, summary.id).status == "confirmed"


def test_a_tenant_that_takes_no_cancellations_by_chat_keeps_the_order_and_says_so(
    runtime: Runtime, make_tenant: MakeTenant, clock: Clock
) -> None:
    tenant_id, say, summary = ordered_by_chat(runtime, make_tenant, clock, cancel_minutes=0)
    answer = say("cancela mi pedido")  # the same instant it was placed: still not by chat
    assert "no se cancelan por chat" in answer and "cancelé" not in answer
    order = runtime.services.orders.get(tenant_id, summary.id)
    assert (order.status, order.cancel_reason) == ("new", None)
