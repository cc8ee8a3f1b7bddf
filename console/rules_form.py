"""The business-rules page's form <-> settings, without Qt: what a person types to rule values, the
values back to text, and the `PATCH` that names only the keys that changed.

Only what cannot be typed at all is refused here (`FormProblem`: "9-14" is not a range, "abc" is not
an amount); every rule on the values themselves (overlapping hours, a negative fee, a zone without
cities or radius) is the server's, which answers with the field at fault in the console's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from comandia.shared.schemas.rules import (
    RULE_KEYS,
    WEEKDAYS,
    DeliveryZone,
    FaqEntry,
    Location,
    OpeningHours,
    PaymentMethod,
    TimeRange,
)
from comandia.shared.schemas.tenants import TenantSettings, TenantSettingsChange
from comandia.shared.schemas.wire import Amount

_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")
_DASH = re.compile(r"\s*[-–—]\s*|\s+a\s+|\s+to\s+")


class FormProblem(ValueError):
    """A field typed so that it means nothing: `field` is its settings path
    (``opening_hours.mon``, ``delivery_zones[1].fee``), `key` the console text that says why."""

    def __init__(self, field: str, key: str) -> None:
        super().__init__(f"{field}: {key}")
        self.field, self.key = field, key


# --- opening hours -------------------------------------------------------------------------------
def day_text(ranges: tuple[TimeRange, ...]) -> str:
    """(("09:00", "14:00"), ("18:00", "23:00")) -> "09:00-14:00, 18:00-23:00" ("" : closed)."""
    return ", ".join(f"{opens}-{closes}" for opens, closes in ranges)


def parse_day(text: str, field: str) -> tuple[TimeRange, ...]:
    """ "09:00-14:00, 18:00-23:00" (or "9-14; 18-23") -> the day's ranges; "" -> closed."""
    ranges: list[TimeRange] = []
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        ends = _DASH.split(part.strip())
        if len(ends) != 2:  # noqa: PLR2004 (a range has two ends)
            raise FormProblem(field, "rules.bad_range")
        opens, closes = (_time(end, field) for end in ends)
        ranges.append((opens, closes))
    return tuple(ranges)


def _time(text: str, field: str) -> str:
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise FormProblem(field, "rules.bad_range")
    return f"{int(match[1]):02d}:{match[2] or '00'}"  # the server checks 00:00..24:00


def hours_of(days: Mapping[str, str], always_open: bool) -> OpeningHours | None:
    """The week's hours from each weekday's text (`WEEKDAYS` keys); None when always open."""
    if always_open:
        return None
    return OpeningHours(**{day: parse_day(days.get(day, ""), f"opening_hours.{day}") for day in WEEKDAYS})


# --- plain values ---------------------------------------------------------------------------------
def parse_amount(text: str, field: str) -> Amount:
    """ "35.50", "35,50" or "35" -> an amount (its sign and size are the server's to check)."""
    cleaned = text.strip().replace(" ", "").replace(",", ".") or "0"
    try:
        amount = Amount(cleaned)
    except InvalidOperation:
        raise FormProblem(field, "rules.bad_amount") from None
    if not amount.is_finite():
        raise FormProblem(field, "rules.bad_amount")
    return amount


def parse_number(text: str, field: str) -> float | None:
    """A decimal number ("19.43" or "19,43"); "" -> None."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        return float(Decimal(cleaned))
    except InvalidOperation:
        raise FormProblem(field, "rules.bad_number") from None


def number_text(value: float | None) -> str:
    """A number as parse_number reads it back exactly (19.432608 stays so; 3.0 is "3"); None -> ""."""
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def parse_whole(text: str, field: str) -> int | None:
    """A whole number; "" -> None."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if not re.fullmatch(r"-?\d+", cleaned):
        raise FormProblem(field, "rules.bad_whole")
    return int(cleaned)


def parse_location(latitude: str, longitude: str) -> Location | None:
    lat = parse_number(latitude, "business_location.latitude")
    lon = parse_number(longitude, "business_location.longitude")
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise FormProblem("business_location", "rules.bad_location")
    return Location(latitude=lat, longitude=lon)


def lines(text: str) -> tuple[str, ...]:
    """One value a line (or separated by commas), blanks dropped."""
    return tuple(part.strip() for part in re.split(r"[\n,]", text) if part.strip())


def parse_dates(text: str) -> tuple[dt.date, ...]:
    """ISO dates, one a line: "2026-12-25"."""
    days = []
    for index, part in enumerate(lines(text)):
        try:
            days.append(dt.date.fromisoformat(part))
        except ValueError:
            raise FormProblem(f"closed_days[{index}]", "rules.bad_date") from None
    return tuple(days)


# --- lists of rows ---------------------------------------------------------------------------------
ZONE_COLUMNS = ("name", "cities", "radius_km", "fee", "minimum_order", "eta_minutes")


def zone_row(zone: DeliveryZone) -> dict[str, str]:
    """A zone as the texts of its table row."""
    return {
        "name": zone.name,
        "cities": ", ".join(zone.cities),
        "radius_km": number_text(zone.radius_km),
        "fee": str(zone.fee),
        "minimum_order": str(zone.minimum_order),
        "eta_minutes": "" if zone.eta_minutes is None else str(zone.eta_minutes),
    }


def parse_zone(row: Mapping[str, str], index: int) -> DeliveryZone:
    field = f"delivery_zones[{index}]"
    fee_text = row.get("fee", "").strip()
    if not fee_text:
        raise FormProblem(f"{field}.fee", "rules.fee_required")
    return DeliveryZone(
        name=row.get("name", "").strip(),
        fee=parse_amount(fee_text, f"{field}.fee"),
        cities=lines(row.get("cities", "")),
        radius_km=parse_number(row.get("radius_km", ""), f"{field}.radius_km"),
        minimum_order=parse_amount(row.get("minimum_order", ""), f"{field}.minimum_order"),
        eta_minutes=parse_whole(row.get("eta_minutes", ""), f"{field}.eta_minutes"),
    )


def parse_payment(kind: str, details: str) -> PaymentMethod:
    return PaymentMethod(kind=kind, details=details.strip())  # type: ignore[arg-type]  # a combo's kinds


def parse_faq(question: str, answer: str) -> FaqEntry:
    return FaqEntry(question=question.strip(), answer=answer.strip())


# --- the change -------------------------------------------------------------------------------------
def change_of(stored: TenantSettings, values: Mapping[str, Any]) -> TenantSettingsChange | None:
    """The `PATCH` naming each rule key of `values` that differs from `stored` (None: nothing changed).

    Values compare as values: an amount "30" equals "30.00", a struct its same fields.
    """
    changed = {key: value for key, value in values.items() if key in RULE_KEYS and value != getattr(stored, key)}
    return TenantSettingsChange(**changed) if changed else None


def problem_key(field: str) -> str:
    """The rule key a problem's field path starts with: ``delivery_zones[1].fee`` -> ``delivery_zones``."""
    return re.split(r"[.\[]", field, maxsplit=1)[0]
