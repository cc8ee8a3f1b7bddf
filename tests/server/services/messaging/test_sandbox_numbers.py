"""A number of the sandbox provider is a test chat: nobody buys there, so its orders are test orders."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from comandia.server.services.demo_chats import TAQUERIA_CHATS, add_demo_chats, chat_moments
from comandia.server.wiring import Collaborators, Runtime
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.orders import OrderQuery
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.clock import Clock


def test_an_order_chatted_through_a_sandbox_number_is_a_test_order(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant(timezone="America/Mexico_City", currency="MXN")
    for sku, name, price in (("T-PAS", "Taco al pastor", "22"), ("HORCH", "Horchata", "30")):
        runtime.services.catalog.create_product(tenant.id, ProductInput(sku=sku, name=name, price=Decimal(price)))
    ordering = next(chat for chat in TAQUERIA_CHATS if chat.orders)
    now = dt.datetime.now(dt.UTC)
    moments = chat_moments((ordering,), None, tenant.timezone, now, random.Random(5))
    add_demo_chats(runtime.services, tenant.id, "+52155", (ordering,), moments, set_clock=lambda _moment: None)
    [order] = runtime.services.orders.list(tenant.id, OrderQuery(limit=10)).items
    assert order.channel == "sandbox"  # "Prueba" on the board, out of the KPIs, no status messages
    [chat] = runtime.services.chats.list(tenant.id).items
    assert [o.id for o in runtime.services.chats.get(tenant.id, chat.id).orders] == [order.id]


def test_a_chat_played_on_a_fixed_clock_is_stored_and_answered_at_its_moments(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    """The ingest and the outbox stamp their rows on the composition root's clock, not the run's."""
    tenant = make_tenant(timezone="America/Mexico_City", currency="MXN")
    clock = Clock(dt.datetime(2026, 3, 14, 19, 30, tzinfo=dt.UTC))
    services = runtime.rewired(Collaborators(clock=clock))
    chat = next(chat for chat in TAQUERIA_CHATS if not chat.orders)
    [moments] = chat_moments((chat,), None, tenant.timezone, clock.now, random.Random(5))

    def set_clock(moment: dt.datetime) -> None:
        clock.now = moment

    add_demo_chats(services, tenant.id, "+52155", (chat,), [moments], set_clock)
    [summary] = services.chats.list(tenant.id).items
    messages = services.chats.get(tenant.id, summary.id).messages
    assert [m.at for m in messages] == [m for moment in moments for m in (moment, moment)]
    assert all(m.delivery == "sent" for m in messages if m.direction == "out")
    with runtime.databases.tenant_session(tenant.id) as session:
        sent = session.execute(sa.text("SELECT sent_at FROM outbox ORDER BY seq")).scalars().all()
    assert sent == list(moments)
