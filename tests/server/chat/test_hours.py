"""Opening hours, closed days and the pause: the pure rules (`chat/hours.py`) and what the flow does
with them (says when it opens, takes the order for later or only shows the menu)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import msgspec
import pytest

from comandia.server.chat import flow, hours
from comandia.server.chat.model import Inbound, Reply, TenantContext
from comandia.server.chat.state import ChatState
from comandia.shared.schemas.rules import BusinessRules, OpeningHours
from tests.server.chat.menu import ANA, EN, ES, MENU

MX = ZoneInfo("America/Mexico_City")
WEEK = OpeningHours(
    mon=(("09:00", "14:00"), ("18:00", "22:00")),
    tue=(("09:00", "22:00"),),
    wed=(("09:00", "22:00"),),
    thu=(("09:00", "22:00"),),
    fri=(("09:00", "23:30"),),
    sat=(("20:00", "02:00"),),
)  # Sunday closed; Saturday night runs into Sunday
RULES = BusinessRules(opening_hours=WEEK, closed_days=(dt.date(2026, 3, 16),))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local moment in March 2026 (the 9th is a Monday)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MX)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(9, 9), True),
        (at(9, 8, 59), False),
        (at(9, 13, 59), True),
        (at(9, 14), False),
        (at(9, 16), False),
        (at(9, 18), True),
        (at(9, 22), False),
        (at(14, 19, 59), False),
        (at(14, 20), True),
        (at(14, 23, 59), True),
        (at(15, 1, 30), True),
        (at(15, 2), False),
        (at(15, 12), False),
        (at(16, 10), False),  # a Monday, but a closed day
        (at(17, 10), True),
    ],
)
def test_a_moment_is_open_when_a_range_of_its_day_or_the_night_before_covers_it(
    moment: dt.datetime, is_open: bool
) -> None:
    assert hours.is_open(RULES, moment) is is_open


def test_no_hours_means_always_open_except_closed_days_and_the_pause() -> None:
    rules = BusinessRules(closed_days=(dt.date(2026, 12, 25),))
    assert hours.is_open(rules, at(15, 3))
    assert hours.opening(rules, "America/Mexico_City", dt.datetime(2026, 12, 25, 18, tzinfo=dt.UTC)).state == "closed"
    paused = msgspec.structs.replace(rules, orders_paused=True)
    assert hours.opening(paused, "America/Mexico_City", at(15, 3)).state == "paused"


@pytest.mark.parametrize(
    ("moment", "opens"),
    [
        (at(9, 15), at(9, 18)),  # between Monday's ranges
        (at(9, 23), at(10, 9)),  # after closing: tomorrow morning
        (at(15, 3), at(17, 9)),  # Sunday, then Monday the 16th is closed: Tuesday
        (at(14, 10), at(14, 20)),  # Saturday opens at night
    ],
)
def test_the_next_opening_skips_closed_days(moment: dt.datetime, opens: dt.datetime) -> None:
    assert hours.next_opening(RULES, moment) == opens


def test_the_next_opening_is_none_when_nothing_opens_in_two_weeks() -> None:
    assert hours.next_opening(BusinessRules(opening_hours=OpeningHours()), at(9, 10)) is None


def test_hours_are_read_in_the_tenants_zone() -> None:
    utc = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)  # 08:30 in Mexico City: not yet open
    assert hours.opening(RULES, "America/Mexico_City", utc).opens_at == at(10, 9)
    assert hours.opening(RULES, "Europe/Madrid", utc).state == "open"  # 15:30 in Madrid


def say(tenant: TenantContext, state: ChatState, text: str, now: dt.datetime) -> tuple[ChatState, Reply]:
    outcome = flow.step(state, Inbound(kind="text", text=text), tenant, MENU, ANA, now=now)
    return outcome.state, outcome.replies[0]


def test_a_closed_business_that_takes_orders_for_later_says_when_and_takes_it() -> None:
    tenant = replace(ES, rules=RULES)
    state, reply = say(tenant, ChatState(), "hola", at(9, 23, 10))
    assert "Ahora estamos cerrados; abrimos mañana a las 9:00" in reply.body
    state, _ = say(tenant, state, "2 margaritas", at(9, 23, 11))
    outcome = flow.step(state, Inbound(kind="button", reply_id="checkout"), tenant, MENU, ANA, now=at(9, 23, 12))
    assert "¿A nombre de quién" in outcome.replies[0].body or outcome.replies[0].buttons


def test_the_summary_of_an_order_taken_while_closed_says_when_it_will_be_made() -> None:
    tenant = replace(ES, rules=RULES)
    state = ChatState(greeted=True, cart=(("PZ-MAR", 1),), name="Ana", address="Av. Juárez 1", city="CDMX")
    outcome = flow.step(state, Inbound(kind="button", reply_id="checkout"), tenant, MENU, ANA, now=at(15, 11))
    assert "Lo preparamos cuando abramos: el martes a las 9:00" in outcome.replies[0].body
    placed = flow.step(outcome.state, Inbound(kind="button", reply_id="confirm"), tenant, MENU, ANA, now=at(15, 11))
    assert placed.draft is not None


def test_menu_only_shows_the_menu_but_refuses_the_checkout() -> None:
    tenant = replace(ES, rules=msgspec.structs.replace(RULES, after_hours="menu_only"))
    state, reply = say(tenant, ChatState(), "hola", at(9, 16))
    assert "abrimos hoy a las 18:00" in reply.body and "los pedidos se toman en nuestro horario" in reply.body
    state, _ = say(tenant, state, "una margarita", at(9, 16))
    outcome = flow.step(state, Inbound(kind="button", reply_id="checkout"), tenant, MENU, ANA, now=at(9, 16))
    assert outcome.draft is None and "Ahora estamos cerrados" in outcome.replies[0].body
    assert outcome.state.cart == (("PZ-MAR", 1),)  # kept for when it opens


def test_a_pause_refuses_orders_with_the_tenants_message_even_at_the_confirmation() -> None:
    open_now = at(10, 12)
    summary = ChatState(
        greeted=True, cart=(("PZ-MAR", 1),), name="Ana", address="Av. Juárez 1", city="CDMX", stage="summary"
    )
    message = "Cocina llena, volvemos a las 3"
    paused = replace(ES, rules=msgspec.structs.replace(RULES, orders_paused=True, paused_message=message))
    outcome = flow.step(summary, Inbound(kind="button", reply_id="confirm"), paused, MENU, ANA, now=open_now)
    assert outcome.draft is None and "Cocina llena, volvemos a las 3" in outcome.replies[0].body
    _, reply = say(replace(ES, rules=BusinessRules(orders_paused=True)), ChatState(), "hola", open_now)
    assert "no estamos tomando pedidos" in reply.body


def test_open_hours_change_nothing_and_english_says_it_in_english() -> None:
    _, reply = say(replace(ES, rules=RULES), ChatState(), "hola", at(10, 12))
    assert "cerrados" not in reply.body
    new_york = dt.datetime(2026, 3, 9, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    _, reply = say(replace(EN, rules=RULES), ChatState(), "hi", new_york)
    assert "We are closed now; we open tomorrow at 9:00 AM" in reply.body
