"""`comandia-admin demo` gives a newcomer living dashboards.

The demo's rhythm is a property of its plan (`plan_orders`, pure), checked on many weeks without a
database; the placing test checks that the stored orders are exactly the plan, so what holds of
the plan holds of the tenants' orders.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from comandia.server.chat.hours import is_open
from comandia.server.services.demo import SHOPS, DemoTenant, create_demo, plan_orders, street_address
from comandia.server.services.demo_chats import TAQUERIA_CHATS, chat_moments
from comandia.server.wiring import Collaborators, Runtime
from comandia.shared.schemas.conversations import ConversationSummary
from comandia.shared.schemas.orders import OrderQuery, OrderSummary
from comandia.shared.schemas.rules import BusinessRules


def test_demo_tenants_hold_exactly_the_planned_orders_and_a_dashboard(runtime: Runtime) -> None:
    made = create_demo(lambda clock: runtime.rewired(Collaborators(clock=clock)), days=10, orders_per_day=3)
    assert len(made) == 2
    for demo in made:
        chats = runtime.services.chats.list(demo.tenant_id).items
        from_chats = [o for c in chats for o in runtime.services.chats.get(demo.tenant_id, c.id).orders]
        assert len(from_chats) == demo.orders - len(demo.plan) == (1 if chats else 0)
        items = [
            o
            for o in runtime.services.orders.list(demo.tenant_id, OrderQuery(limit=200)).items
            if o.id not in {c.id for c in from_chats}
        ]
        assert len(items) == len(demo.plan) >= 10
        assert sorted(o.created_at for o in items) == [p.at for p in demo.plan]
        assert Counter(o.status for o in items) == Counter(p.status for p in demo.plan)
        assert len({o.created_at.date() for o in items}) >= 5
        today = dt.date.today()
        report = runtime.services.kpis.tenant_report(demo.tenant_id, today - dt.timedelta(days=12), today)
        assert report.current.orders > 0
        assert any(u.username == demo.manager for u in runtime.users.list(demo.tenant_id))
        assert runtime.services.tenant_settings.get(demo.tenant_id).opening_hours is not None
        assert_conversations(runtime, demo.tenant_id, chats, from_chats)
        assert_chat_times(runtime, demo, chats)
        addresses = [runtime.services.orders.get(demo.tenant_id, o.id).delivery_address for o in items[:12]]
        assert len(set(addresses)) >= 6 and all(a and a[0].isupper() and any(c.isdigit() for c in a) for a in addresses)


@pytest.mark.parametrize("shop", SHOPS, ids=lambda shop: shop.timezone)
def test_demo_orders_follow_a_restaurants_day_and_week(shop) -> None:  # type: ignore[no-untyped-def]
    """Lunch and dinner in the tenant's own zone, more on Fridays and Saturdays than on Mondays and
    Tuesdays, nothing in the future, and the newest orders still open (a living board)."""
    now = dt.datetime.now(dt.UTC)
    skus = [sku for products in shop.menu.values() for sku, _, _ in products]
    plan = plan_orders(shop.timezone, skus, 40, random.Random(7), days=21, per_day=5, now=now)
    local = [p.at.astimezone(ZoneInfo(shop.timezone)) for p in plan]
    assert all(11 <= t.hour <= 23 for t in local)
    meals = sum(1 for t in local if 12 <= t.hour < 16 or 18 <= t.hour < 23)
    assert meals > 0.8 * len(local)
    weekdays = Counter(t.weekday() for t in local)
    assert weekdays[4] + weekdays[5] > 1.4 * (weekdays[0] + weekdays[1])
    assert max(moment for p in plan for moment in (p.at, *(m for m, _ in p.steps))) <= now
    assert {p.status for p in plan} >= {"completed", "cancelled"}
    assert all(0 <= p.customer < 40 and 1 <= len(p.lines) <= 3 for p in plan)


@pytest.mark.parametrize("local", ["22:55", "08:00", "11:20", "13:40"])
@pytest.mark.parametrize("shop", SHOPS, ids=lambda shop: shop.timezone)
def test_the_board_is_never_empty_after_a_demo(shop, local: str) -> None:  # type: ignore[no-untyped-def]
    """Run after closing (22:55 in Mexico City, already tomorrow in UTC), before opening or
    mid-lunch, the newest orders of the business's latest hours are still open: two new, two
    confirmed, two shipped, every step between the order and now."""
    hour, minute = map(int, local.split(":"))
    now = dt.datetime(2026, 12, 5, hour, minute, tzinfo=ZoneInfo(shop.timezone)).astimezone(dt.UTC)
    skus = [sku for products in shop.menu.values() for sku, _, _ in products]
    plan = plan_orders(shop.timezone, skus, 40, random.Random(11), days=30, per_day=6, now=now)
    newest = plan[-6:]
    assert [p.status for p in newest] == ["shipped", "shipped", "confirmed", "confirmed", "new", "new"]
    assert all(p.at <= m <= now for p in newest for m, _ in p.steps)
    assert now - newest[0].at < dt.timedelta(hours=24)  # the latest opening hours, not last week
    assert Counter(p.status for p in plan[:-6])["completed"] > 0.8 * len(plan[:-6])


@pytest.mark.parametrize("shop", SHOPS, ids=lambda shop: shop.timezone)
def test_demo_addresses_are_varied_and_written_as_people_there_write_them(shop) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    addresses = [street_address(shop, shop.places[0][2], rng) for _ in range(40)]
    assert len(set(addresses)) >= 35
    assert len({a.split(",")[0].rsplit(" ", 1)[0] for a in addresses}) >= 5  # several streets
    mark = ", Col. " if shop.timezone == "America/Mexico_City" else " # "
    assert all(mark in a and any(area in a for area in shop.places[0][2]) for a in addresses)


@pytest.mark.parametrize("local", ["03:10", "11:20", "13:40", "23:40"])
@pytest.mark.parametrize("shop", SHOPS, ids=lambda shop: shop.timezone)
def test_demo_orders_and_chats_happen_in_the_shops_opening_hours(shop, local: str) -> None:  # type: ignore[no-untyped-def]
    """Every planned order, and every chat message, falls in the business's opening hours; the
    chats are the latest opening hours' (a demo run at 03:10 has the evening's), one customer
    after another over half an hour or more, never in the future and never all in one second."""
    hour, minute = map(int, local.split(":"))
    now = dt.datetime(2026, 12, 3, hour, minute, tzinfo=ZoneInfo(shop.timezone)).astimezone(dt.UTC)
    rules, zone = BusinessRules(opening_hours=shop.hours), ZoneInfo(shop.timezone)
    skus = [sku for products in shop.menu.values() for sku, _, _ in products]
    plan = plan_orders(shop.timezone, skus, 40, random.Random(5), days=21, per_day=5, now=now)
    assert all(is_open(rules, p.at.astimezone(zone)) for p in plan)
    moments = chat_moments(TAQUERIA_CHATS, shop.hours, shop.timezone, now, random.Random(5))
    flat = [m for chat in moments for m in chat]
    assert [len(chat) for chat in moments] == [len(chat.turns) for chat in TAQUERIA_CHATS]
    assert flat == sorted(flat) and len(set(flat)) == len(flat) and flat[-1] < now
    assert now - flat[-1] < dt.timedelta(hours=12)  # the latest opening hours, not last week
    assert flat[-1] - flat[0] > dt.timedelta(minutes=20)
    assert all(is_open(rules, m.astimezone(zone)) for m in flat)
    assert all(m.tzinfo is not None and m.utcoffset() == dt.timedelta(0) for m in flat)  # stored in UTC


def assert_conversations(
    runtime: Runtime, tenant_id: str, chats: tuple[ConversationSummary, ...], from_chats: list[OrderSummary]
) -> None:
    """The taquería's chats went through the real inbox and bot: customer and bot messages, one
    order placed in the chat (new on the board), and on top a customer waiting for a person."""
    if not chats:  # the pizzería has no chats (its WhatsApp is not set up in the demo)
        return
    assert len(chats) == 3
    assert (chats[0].state, chats[0].handoff_reason, chats[0].last_direction) == ("waiting", "asked", "out")
    assert [c.state for c in chats[1:]] == ["bot", "bot"]
    [order] = from_chats
    assert (order.channel, order.status) == ("sandbox", "new")  # a sandbox number's: a test order
    for chat in chats:
        messages = runtime.services.chats.get(tenant_id, chat.id).messages
        assert [m.direction for m in messages] == ["in", "out"] * (len(messages) // 2)
        assert all(m.delivery == "sent" for m in messages if m.direction == "out")
        assert not any("No entendí" in m.text for m in messages)  # the scripts read as real, understood chats
        # Played in the latest opening hours on a clock set to them: never "we are closed", whenever it runs.
        assert not any("cerrado" in m.text.lower() for m in messages if m.direction == "out")
    placed = runtime.services.chats.get(tenant_id, chats[-1].id).messages
    assert any(f"#{order.number}" in m.text for m in placed if m.direction == "out")


def assert_chat_times(runtime: Runtime, demo: DemoTenant, chats: tuple[ConversationSummary, ...]) -> None:
    """Each message shows the moment the demo means (not the run's): the customer's when they wrote
    it, the bot's reply at once, sent then; the list's order and times are the chats'."""
    assert len(demo.chat_moments) == len(chats)
    for chat, moments in zip(reversed(chats), demo.chat_moments, strict=True):  # the list: newest first
        messages = runtime.services.chats.get(demo.tenant_id, chat.id).messages
        assert [m.at for m in messages if m.direction == "in"] == list(moments)
        assert [m.at for m in messages if m.direction == "out"] == list(moments)  # answered on the spot
        assert chat.last_message_at == moments[-1]
