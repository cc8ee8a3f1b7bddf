"""Tests for comandia.shared.domain.times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.times import (
    is_timezone,
    local_day_bounds,
    local_range_to_utc,
    parse_date,
    to_local,
    utcnow,
)

LATIN_AMERICAN_ZONES = [
    "America/Mexico_City",
    "America/Santiago",
    "America/Bogota",
    "America/Lima",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "America/Asuncion",
    "America/Caracas",
    "America/Havana",
    "America/Tijuana",
    "Pacific/Easter",
]
TICK = timedelta(microseconds=1)


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "day", "start", "end"),
    [
        # Chile springs forward at local midnight: 2023-09-03 begins at 01:00 and lasts 23 hours.
        ("America/Santiago", date(2023, 9, 3), _utc(2023, 9, 3, 4), _utc(2023, 9, 4, 3)),
        # ...and falls back at local midnight: 2023-04-01 lasts 25 hours.
        ("America/Santiago", date(2023, 4, 1), _utc(2023, 4, 1, 3), _utc(2023, 4, 2, 4)),
        ("America/Santiago", date(2023, 4, 2), _utc(2023, 4, 2, 4), _utc(2023, 4, 3, 4)),
        # Mexico City's last DST, before Mexico abolished it in 2022: changes at 02:00.
        ("America/Mexico_City", date(2022, 4, 3), _utc(2022, 4, 3, 6), _utc(2022, 4, 4, 5)),
        ("America/Mexico_City", date(2022, 10, 30), _utc(2022, 10, 30, 5), _utc(2022, 10, 31, 6)),
        ("America/Mexico_City", date(2023, 4, 2), _utc(2023, 4, 2, 6), _utc(2023, 4, 3, 6)),
        # Venezuela moved by half an hour in 2007.
        ("America/Caracas", date(2007, 12, 9), _utc(2007, 12, 9, 4), _utc(2007, 12, 10, 4, 30)),
        # Samoa skipped 2011-12-30 entirely: the day is empty.
        ("Pacific/Apia", date(2011, 12, 30), _utc(2011, 12, 30, 10), _utc(2011, 12, 30, 10)),
    ],
)
def test_local_day_bounds_follow_daylight_saving_changes(tz: str, day: date, start: datetime, end: datetime) -> None:
    assert local_day_bounds(day, tz) == (start, end)


@given(st.sampled_from(LATIN_AMERICAN_ZONES), st.dates(date(1970, 1, 1), date(2037, 12, 31)))
def test_a_local_day_starts_at_the_first_instant_showing_that_date(tz: str, day: date) -> None:
    start, end = local_day_bounds(day, tz)
    zone = ZoneInfo(tz)

    assert start.tzinfo is UTC and end.tzinfo is UTC
    assert start.astimezone(zone).date() == day
    assert (start - TICK).astimezone(zone).date() < day
    assert (end - TICK).astimezone(zone).date() == day
    assert end == local_day_bounds(day + timedelta(days=1), tz)[0]


@given(
    st.sampled_from(LATIN_AMERICAN_ZONES),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(0, 60),
)
def test_a_local_range_covers_its_first_and_last_day(tz: str, first: date, extra_days: int) -> None:
    last = first + timedelta(days=extra_days)

    start, end = local_range_to_utc(first, last, tz)

    assert start == local_day_bounds(first, tz)[0]
    assert end == local_day_bounds(last, tz)[1]


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        local_range_to_utc(date(2024, 5, 2), date(2024, 5, 1), "America/Lima")

    assert set(caught.value.fields) == {"to"}


def test_to_local_shows_the_wall_clock_of_the_zone() -> None:
    local = to_local(_utc(2024, 1, 15, 18, 30), "America/Mexico_City")

    assert (local.hour, local.minute) == (12, 30)
    assert local.utcoffset() == timedelta(hours=-6)


def test_to_local_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_local(datetime(2024, 1, 1), "America/Lima")  # naive on purpose


@pytest.mark.parametrize("name", ["America/Santiago", "America/Mexico_City", "UTC"])
def test_real_zone_names_are_time_zones(name: str) -> None:
    assert is_timezone(name)


@pytest.mark.parametrize(
    "name", ["", "america/santiago", "America", "localtime", "Factory", "../etc/passwd", "/UTC", "GMT+25"]
)
def test_other_names_are_not_time_zones(name: str) -> None:
    assert not is_timezone(name)


def test_unknown_zones_are_refused_naming_the_timezone_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        local_day_bounds(date(2024, 1, 1), "Mars/Olympus_Mons")

    assert set(caught.value.fields) == {"timezone"}


def test_utcnow_is_aware_and_in_utc() -> None:
    now = utcnow()

    assert now.tzinfo is UTC
    assert abs(datetime.now(UTC) - now) < timedelta(seconds=5)


def test_parse_date_reads_iso_dates() -> None:
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    assert parse_date(" 2024-12-31 ") == date(2024, 12, 31)


@pytest.mark.parametrize(
    "text",
    ["", "2023-02-29", "2024-13-01", "20240101", "2024-W01-1", "01/02/2024", "2024-1-5", "1899-12-31"],
)
def test_parse_date_refuses_anything_else_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_date(text, field="from")

    assert set(caught.value.fields) == {"from"}


def test_instants_are_written_in_the_tenant_zone_as_its_country_writes_them() -> None:
    from comandia.shared.domain.times import format_day, format_instant

    instant = datetime(2026, 12, 5, 19, 5, tzinfo=UTC)
    assert format_instant(instant, "America/Mexico_City", "es_MX") == "5/12/2026 1:05\u202fp.m."
    assert format_instant(instant, "America/Argentina/Buenos_Aires", "es_AR") == "5/12/2026 16:05"
    assert format_instant(instant, "America/Santiago", "es_CL") == "05-12-2026 16:05"
    assert format_instant(instant, "Europe/Madrid", "es_ES") == "5/12/2026 20:05"
    assert format_instant(instant, "America/New_York", "en_US") == "12/5/2026 2:05\u202fPM"
    assert format_day(date(2026, 1, 31), "es_CO") == "31/1/2026"
    assert format_day(date(2026, 1, 31), "en_US") == "1/31/2026"
