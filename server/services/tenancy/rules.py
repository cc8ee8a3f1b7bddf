"""The business rules' own checks: what the wire types cannot say alone.

The decoder already refused wrong types, lengths and ranges (`shared/schemas/rules.py`). Here each
key named by a change is checked and normalised (`checked_rule`), then the merged rules are checked
together (`check_together`): hours that overlap, a range that opens and closes at once, a zone with
both cities and a radius (or neither), a radius zone without the business location, pickup without
its address, a transfer without its bank details, an alert recipient that is neither a phone nor an
e-mail address. Every refusal names the field at fault (``delivery_zones[1].fee``) and, when the
clash is between two keys, the one the change named.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from typing import Any

import msgspec

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import parse_amount
from comandia.shared.domain.phones import to_e164
from comandia.shared.schemas.rules import (
    RULE_KEYS,
    WEEKDAYS,
    BusinessRules,
    DeliveryZone,
    FaqEntry,
    OpeningHours,
    PaymentMethod,
)
from comandia.shared.schemas.wire import Amount, decode

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
_MINUTES_PER_DAY = 24 * 60


def stored_rules(settings: Mapping[str, Any]) -> BusinessRules:
    """The rules kept in a tenant's settings JSON; a key that no longer reads keeps its default.

    A hand-edited or older registry must not stop the bot: the bad key is logged and skipped.
    """
    known: dict[str, Any] = {}
    for key in RULE_KEYS:
        if key in settings:
            try:
                decode({key: settings[key]}, BusinessRules)
            except ValidationFailed as error:
                log.warning("ignoring stored setting %s: %s", key, error.detail)
                continue
            known[key] = settings[key]
    return decode(known, BusinessRules)


def stored_form(value: object) -> Any:
    """A rule value as the settings JSON keeps it (money as strings, dates ISO)."""
    return msgspec.to_builtins(value, enc_hook=_encode)


def checked_rule(key: str, value: Any) -> Any:
    """`value` of rule `key` checked alone and normalised. Raises: ValidationFailed naming the field."""
    check = _CHECKS.get(key)
    return check(value) if check is not None else value


def check_together(rules: BusinessRules, named: Collection[str]) -> None:
    """Refuse rules whose keys clash; the field named is one of the keys the change `named`.

    Raises:
        ValidationFailed: pickup without an address, a radius zone without the business location.
    """
    if rules.fulfilment in ("pickup", "both") and not rules.pickup_address:
        field = "fulfilment" if "fulfilment" in named and "pickup_address" not in named else "pickup_address"
        raise _invalid(field, "pickup needs the pickup_address customers are told")
    radius = [i for i, zone in enumerate(rules.delivery_zones) if zone.radius_km is not None]
    if radius and rules.business_location is None:
        field = "business_location" if "delivery_zones" not in named else f"delivery_zones[{radius[0]}].radius_km"
        raise _invalid(field, "a zone by radius needs the business_location it is measured from")


def _opening_hours(value: OpeningHours | None) -> OpeningHours | None:
    """Each range opens and closes at different times; no two ranges of the week overlap (a range
    that ends earlier than it starts runs past midnight into the next day)."""
    if value is None:
        return None
    spans: list[tuple[int, int, str]] = []
    for weekday, name in enumerate(WEEKDAYS):
        for index, (opens, closes) in enumerate(value.day(weekday)):
            field = f"opening_hours.{name}[{index}]"
            start, end = minutes_of(opens), minutes_of(closes)
            if start == _MINUTES_PER_DAY:
                raise _invalid(field, "24:00 ends a range; a range starting at midnight starts at 00:00")
            if start == end:
                raise _invalid(field, "opens and closes at the same time")
            if end < start:
                end += _MINUTES_PER_DAY
            base = weekday * _MINUTES_PER_DAY
            spans.append((base + start, base + end, field))
    week = 7 * _MINUTES_PER_DAY
    spans.sort()
    # Sunday night's range may run into Monday morning: compare it with the week's first ones too.
    wrapped = spans + [(start + week, end + week, field) for start, end, field in spans]
    for (_, end, _), (start, _, field) in zip(wrapped, wrapped[1:], strict=False):
        if start < end:
            raise _invalid(field, "overlaps another range")
    return value


def minutes_of(time_of_day: str) -> int:
    """ "09:30" -> 570 ("24:00" -> 1440)."""
    hours, _, minutes = time_of_day.partition(":")
    return int(hours) * 60 + int(minutes)


def _closed_days(value: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(sorted(set(value)))


def _stripped(value: str) -> str:
    return value.strip()


def _amount(field: str) -> Callable[[Amount], Amount]:
    def check(value: Amount) -> Amount:
        return Amount(parse_amount(Decimal(value), field))

    return check


def _zones(value: tuple[DeliveryZone, ...]) -> tuple[DeliveryZone, ...]:
    names: set[str] = set()
    zones = []
    for index, zone in enumerate(value):
        field = f"delivery_zones[{index}]"
        name = zone.name.strip()
        if not name or name.casefold() in names:
            raise _invalid(field + ".name", "each zone needs its own name")
        names.add(name.casefold())
        cities = tuple(dict.fromkeys(c.strip() for c in zone.cities if c.strip()))
        if bool(cities) == (zone.radius_km is not None):
            raise _invalid(field, "give either cities (names of cities or neighbourhoods) or radius_km")
        zones.append(
            msgspec.structs.replace(
                zone,
                name=name,
                cities=cities,
                fee=Amount(parse_amount(Decimal(zone.fee), f"{field}.fee")),
                minimum_order=Amount(parse_amount(Decimal(zone.minimum_order), f"{field}.minimum_order")),
            )
        )
    return tuple(zones)


def _payment_methods(value: tuple[PaymentMethod, ...]) -> tuple[PaymentMethod, ...]:
    kinds: set[str] = set()
    for index, method in enumerate(value):
        field = f"payment_methods[{index}]"
        if method.kind in kinds:
            raise _invalid(field + ".kind", "each kind once")
        kinds.add(method.kind)
        details = method.details.strip()
        if method.kind == "transfer" and not details:
            raise _invalid(field + ".details", "a transfer needs the bank details customers are sent")
        if method.kind == "link" and not _LINK.fullmatch(details):
            raise _invalid(field + ".details", "a payment link starts with https://")
    return tuple(msgspec.structs.replace(m, details=m.details.strip()) for m in value)


def _recipients(value: tuple[str, ...]) -> tuple[str, ...]:
    """Each recipient as it is stored: a phone in E.164, an e-mail address in lower case."""
    found: list[str] = []
    for index, raw in enumerate(value):
        field = f"order_alerts[{index}]"
        text = raw.strip()
        if "@" in text:
            if not _EMAIL.fullmatch(text):
                raise _invalid(field, "not an e-mail address")
            found.append(text.lower())
        else:
            found.append(to_e164(text, field=field))
    return tuple(dict.fromkeys(found))


def _faq(value: tuple[FaqEntry, ...]) -> tuple[FaqEntry, ...]:
    entries = []
    for index, entry in enumerate(value):
        question, answer = entry.question.strip(), entry.answer.strip()
        if not question or not answer:
            raise _invalid("faq[" + str(index) + "]", "needs a question and its answer")
        entries.append(FaqEntry(question, answer))
    return tuple(entries)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "opening_hours": _opening_hours,
    "closed_days": _closed_days,
    "paused_message": _stripped,
    "pickup_address": _stripped,
    "delivery_zones": _zones,
    "minimum_order": _amount("minimum_order"),
    "payment_methods": _payment_methods,
    "order_alerts": _recipients,
    "faq": _faq,
}


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise NotImplementedError(f"{type(value).__name__} is not a settings type")


def _invalid(field: str, problem: str) -> ValidationFailed:
    """`problem` is a catalog text (`scripts/i18n.py` extracts the calls of `_invalid`)."""
    return ValidationFailed.of_field(field, problem)
