"""Time: instants are stored in UTC and shown in the tenant's time zone (IANA names, `zoneinfo`).

A "day" in a report is the tenant's local calendar day, so its bounds in UTC move with daylight
saving time. Chile, for example, changes clocks at local midnight: when it springs forward the
day starts at 01:00, when it falls back the day lasts 25 hours. `local_day_bounds` handles that.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_skeleton, format_time

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_

MIN_YEAR = 1900
MAX_YEAR = 2999
"""`parse_date` refuses years outside these: they are typos, and near datetime's limits the
conversions to UTC would overflow."""

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ONE_DAY = timedelta(days=1)
# "localtime" is a copy of the host's zone and "Factory" a placeholder: neither names a place.
_NOT_PLACES = frozenset({"localtime", "Factory"})


PERIODS = ("today", "7days", "30days", "month")
"""The latest days a report can cover, each ending today: the last 1, 7 or 30 days, the month so far."""


def period_days(period: str, today: date) -> tuple[date, date]:
    """The first and last day (both included) of `period` (one of PERIODS) ending `today`."""
    if period == "today":
        return today, today
    if period == "7days":
        return today - timedelta(days=6), today
    if period == "month":
        return today.replace(day=1), today
    if period == "30days":
        return today - timedelta(days=29), today
    raise ValueError(f"unknown period {period!r}")


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime (the default clock; tests inject their own)."""
    return datetime.now(UTC)


def is_timezone(name: str) -> bool:
    """Tell whether `name` is an IANA time zone such as ``"America/Mexico_City"`` (case matters)."""
    return name in _known_zones()


def to_local(dt_utc: datetime, tz_name: str) -> datetime:
    """Show the instant `dt_utc` on the wall clock of `tz_name`.

    Raises:
        ValueError: `dt_utc` is naive (a naive datetime is a bug: nobody knows which zone it is).
        ValidationFailed: `tz_name` is not a time zone (field ``timezone``).
    """
    _require_aware(dt_utc)
    return dt_utc.astimezone(_zone(tz_name))


def local_day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """The UTC instants where local `day` starts and where the next local day starts.

    The pair is half-open, ``start <= instant < end``, and is right across DST changes: the day
    can last 23, 24 or 25 hours (or none, for a date a zone skipped, such as 2011-12-30 in Samoa).

    Raises:
        ValidationFailed: `tz_name` is not a time zone (field ``timezone``).
    """
    zone = _zone(tz_name)
    return _start_of_local_day(day, zone), _start_of_local_day(day + _ONE_DAY, zone)


def local_range_to_utc(from_day: date, to_day: date, tz_name: str) -> tuple[datetime, datetime]:
    """The half-open UTC interval covering local days `from_day` through `to_day`, both included.

    Raises:
        ValidationFailed: `to_day` is before `from_day` (field ``to``), or `tz_name` is not a time
            zone (field ``timezone``).
    """
    if to_day < from_day:
        raise ValidationFailed("the date range ends before it starts", {"to": N_("must not be before from")})
    zone = _zone(tz_name)
    return _start_of_local_day(from_day, zone), _start_of_local_day(to_day + _ONE_DAY, zone)


def format_instant(value: datetime, tz_name: str, locale: str = "es_MX") -> str:
    """The instant `value` as a date and time on the wall clock of `tz_name`, written as `locale`
    writes them (Babel, CLDR): ``5/12/2026 1:05 p.m.`` in es_MX, ``05-12-2026 13:05`` in es_CL,
    ``12/5/2026 1:05 PM`` in en_US.

    Raises:
        ValueError: `value` is naive.
        ValidationFailed: `tz_name` is not a time zone.
    """
    local = to_local(value, tz_name)
    tag = _display_locale(locale)
    return f"{format_skeleton('yMd', local, locale=tag)} {format_time(local, 'short', locale=tag)}"


def format_day(value: date, locale: str = "es_MX") -> str:
    """A calendar day written as `locale` writes it (``5/12/2026`` in es_MX, ``12/5/2026`` in en_US)."""
    return str(format_skeleton("yMd", value, locale=_display_locale(locale)))


def parse_date(value: str, field: str = "date") -> date:
    """Read a calendar date written ``YYYY-MM-DD``.

    Raises:
        ValidationFailed: another format, a date that does not exist (``2023-02-29``), or a year
            outside `MIN_YEAR`..`MAX_YEAR`.
    """
    text = value.strip()
    if not _ISO_DATE.fullmatch(text):
        raise _invalid(field, "must be a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise _invalid(field, "is not a date that exists") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise _invalid(field, "must be between {minimum} and {maximum}", minimum=MIN_YEAR, maximum=MAX_YEAR)
    return parsed


@functools.cache
def _known_zones() -> frozenset[str]:
    """The zone names the tz database offers, read once on first use (never at import)."""
    return frozenset(available_timezones()) - _NOT_PLACES


def _zone(tz_name: str) -> ZoneInfo:
    if not is_timezone(tz_name):
        raise _invalid("timezone", "'{zone}' is not an IANA time zone such as America/Mexico_City", zone=tz_name)
    return ZoneInfo(tz_name)


def _start_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the wall clock in `zone` shows `day` (or a later date).

    Local midnight maps to one instant normally, to two when clocks fall back over it (the first
    one starts the day), and to none when clocks jump over it. In a jump the day starts at the jump
    itself, which `zoneinfo` does not expose, so it is searched for between the two readings of
    midnight (PEP 495 `fold`); tz database transitions fall on whole seconds.
    """
    midnight = datetime.combine(day, time())
    before, after = sorted(midnight.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    if before.astimezone(zone).date() >= day:
        return before
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:  # invariant: `low` shows an earlier day, `high` shows `day` or later
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).date() >= day:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _display_locale(locale: str) -> str:
    return {"es": "es_MX", "en": "en_US"}.get(locale, locale).replace("-", "_")


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("expected an aware datetime (with a time zone), got a naive one")


def _invalid(field: str, problem: str, **values: object) -> ValidationFailed:
    return ValidationFailed.of_field(field, problem, **values)
