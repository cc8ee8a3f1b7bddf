"""When the business takes orders: opening hours, closed days and the pause, at one instant.

Pure: the caller gives the instant (`Turn.now`, from the conversation service's clock). Hours are
read in the tenant's time zone; a range that ends earlier than it starts runs past midnight, so
Saturday's ``["20:00", "02:00"]`` is still open at 01:30 on Sunday. A closed day closes the whole
calendar day, late ranges of the day before included. With no hours set, the business is always open
(unless it is a closed day or orders are paused).

What the bot does with it: the first reply of a conversation says so (`opening_notice`), and the
checkout is refused (`checkout_refusal`) while paused, or while closed when the tenant chose
`menu_only`; with `take_for_later` the order is taken and the summary says when it will be made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time

from comandia.server.chat.texts import Texts
from comandia.server.chat.turn import Turn
from comandia.shared.schemas.rules import BusinessRules

_DAY = 24 * 60
_LOOKAHEAD_DAYS = 15  # a week of hours, plus a week of holidays in a row


@dataclass(frozen=True)
class Opening:
    """Whether orders are taken now: `open`, `paused` (the switch), or `closed` (until `opens_at`,
    local time; None when no opening is in sight)."""

    state: Literal["open", "paused", "closed"]
    opens_at: dt.datetime | None = None


def opening(rules: BusinessRules, timezone: str, now: dt.datetime) -> Opening:
    """The business's state at `now` (an aware instant)."""
    if rules.orders_paused:
        return Opening("paused")
    local = now.astimezone(_zone(timezone))
    if is_open(rules, local):
        return Opening("open")
    return Opening("closed", next_opening(rules, local))


def is_open(rules: BusinessRules, local: dt.datetime) -> bool:
    """Whether `local` (in the tenant's zone) falls in an opening range of a day that is not closed."""
    today = local.date()
    if today in rules.closed_days:
        return False
    hours = rules.opening_hours
    if hours is None:
        return True
    minute = local.hour * 60 + local.minute
    for start, end in _spans(hours.day(today.weekday())):
        if start <= minute < end:
            return True
    yesterday = today - dt.timedelta(days=1)
    # The night before may run into today (a closed day's night does not).
    return yesterday not in rules.closed_days and any(
        minute + _DAY < end for _, end in _spans(hours.day(yesterday.weekday()))
    )


def next_opening(rules: BusinessRules, local: dt.datetime) -> dt.datetime | None:
    """The next moment after `local` when the business opens; None when none in two weeks."""
    for offset in range(_LOOKAHEAD_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        if day in rules.closed_days:
            continue
        starts = [0] if rules.opening_hours is None else [s for s, _ in _spans(rules.opening_hours.day(day.weekday()))]
        for start in sorted(starts):
            moment = dt.datetime.combine(day, dt.time(start // 60, start % 60), local.tzinfo)
            if moment > local:
                return moment
    return None


def when_text(opens_at: dt.datetime, now: dt.datetime, locale: str) -> tuple[str, str, str]:
    """(day word, date or weekday, time) as people say it: ("today", "", "18:00"),
    ("tomorrow", "", "9:00"), ("weekday", "lunes", "9:00"), ("date", "25 dic", "9:00");
    in English the time reads "6:00 PM"."""
    local_now = now.astimezone(opens_at.tzinfo)
    days = (opens_at.date() - local_now.date()).days
    language = "en_US" if locale == "en" else "es_MX"
    # 24-hour time in Spanish ("18:00", as shops write their hours), "6:00 PM" in English.
    time = format_time(opens_at.time(), "h:mm a" if locale == "en" else "H:mm", locale=language)
    if days == 0:
        return "today", "", time
    if days == 1:
        return "tomorrow", "", time
    if days < 7:
        return "weekday", format_date(opens_at.date(), "EEEE", locale=language), time
    return "date", format_date(opens_at.date(), "d MMM", locale=language), time


def _spans(ranges: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    """Ranges as minutes from the day's midnight; an overnight range ends after 1440."""
    spans = []
    for opens, closes in ranges:
        start, end = _minutes(opens), _minutes(closes)
        spans.append((start, end + _DAY if end <= start else end))
    return spans


def _minutes(time_of_day: str) -> int:
    hours, _, minutes = time_of_day.partition(":")
    return int(hours) * 60 + int(minutes)


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC  # the registry checks zones when a tenant is made; never stop a chat over one


def opening_notice(turn: Turn) -> str | None:
    """What the first reply of a conversation says when orders are not taken now; None when open."""
    now = turn.now
    rules = turn.tenant.rules
    if rules.orders_paused:
        return _paused(turn)
    if now is None:
        return None
    state = opening(rules, turn.tenant.timezone, now)
    if state.state == "open":
        return None
    if state.opens_at is None:
        return turn.texts("closed_no_opening")
    key = "closed_for_later" if rules.after_hours == "take_for_later" else "closed_menu_only"
    return turn.texts(key, when=_when(turn, state.opens_at, now))


def handoff_text(texts: Texts, now: dt.datetime | None) -> str:
    """What the bot says when it hands the chat to a person: that one will answer, and, while
    the business is closed, that it is closed and when it opens (paused is not closed: people
    are there). `texts` is the tenant's, in the conversation's language; `now` None: not checked."""
    tenant = texts.tenant
    if now is None:
        return texts("handoff")
    state = opening(tenant.rules, tenant.timezone, now)
    if state.state != "closed":
        return texts("handoff")
    if state.opens_at is None:
        return texts("handoff_closed_no_opening")
    word, day, time = when_text(state.opens_at, now, tenant.locale)
    return texts("handoff_closed", when=texts(f"when.{word}", day=day, time=time))


def checkout_refusal(turn: Turn) -> str | None:
    """Why an order cannot be placed now (paused; closed with `menu_only` or with no opening in
    sight); None when it can, for later included."""
    rules = turn.tenant.rules
    if rules.orders_paused:
        return _paused(turn)
    if turn.now is None:
        return None
    state = opening(rules, turn.tenant.timezone, turn.now)
    if state.state == "open" or (state.opens_at is not None and rules.after_hours == "take_for_later"):
        return None
    return opening_notice(turn)


def later_line(turn: Turn) -> str | None:
    """The summary's line saying when an order taken while closed will be made; None when open."""
    if turn.now is None:
        return None
    state = opening(turn.tenant.rules, turn.tenant.timezone, turn.now)
    if state.state != "closed" or state.opens_at is None:
        return None
    return turn.texts("for_later_line", when=_when(turn, state.opens_at, turn.now))


def _paused(turn: Turn) -> str:
    return turn.tenant.rules.paused_message or turn.texts("paused")


def _when(turn: Turn, opens_at: dt.datetime, now: dt.datetime) -> str:
    word, day, time = when_text(opens_at, now, turn.tenant.locale)
    return turn.texts(f"when.{word}", day=day, time=time)
