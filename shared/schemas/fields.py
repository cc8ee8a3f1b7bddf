"""Field values on the wire: money as a string ("12.50"), instants as ISO 8601 with an offset.

The readers check the JSON type of one field of a request body and raise `ValidationFailed` naming
its path, so a schema's `from_json` refuses bad input at the boundary with a useful message.
Business rules (name lengths, currencies, phone numbers) are checked by the services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from comandia.shared.domain.errors import ValidationFailed

MISSING: Any = object()


def money_text(value: Decimal) -> str:
    """``Decimal("12.5")`` -> ``"12.5"``; never an exponent."""
    return format(value, "f")


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def read_money(data: Mapping[str, Any], key: str, path: str = "", default: Any = MISSING) -> Decimal:
    """A required (or defaulted) amount sent as a string or an integer; floats are refused."""
    value = _get(data, key, path, default)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _wrong(path + key, 'must be a string such as "12.50"')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _wrong(path + key, 'must be a number written as a string such as "12.50"') from None
    if not amount.is_finite():
        raise _wrong(path + key, "must be a finite number")
    return amount


def read_instant(
    data: Mapping[str, Any], key: str, path: str = "", default: Any = MISSING
) -> dt.datetime | None:
    value = _get(data, key, path, default)
    if value is None or isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise _wrong(path + key, "must be an ISO 8601 date and time")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _wrong(path + key, "must be an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise _wrong(path + key, "must include a UTC offset, such as 2026-01-31T12:00:00+00:00")
    return parsed


def read_str(data: Mapping[str, Any], key: str, path: str = "", default: Any = MISSING) -> Any:
    """A string, or the default (which may be None) when absent; null is allowed only if default is None."""
    value = _get(data, key, path, default)
    if value is None and default is None:
        return None
    if not isinstance(value, str):
        raise _wrong(path + key, "must be a string")
    return value


def read_int(data: Mapping[str, Any], key: str, path: str = "", default: Any = MISSING) -> Any:
    value = _get(data, key, path, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(path + key, "must be an integer")
    return value


def read_bool(data: Mapping[str, Any], key: str, path: str = "", default: Any = MISSING) -> Any:
    value = _get(data, key, path, default)
    if value is None and default is None:
        return None
    if not isinstance(value, bool):
        raise _wrong(path + key, "must be true or false")
    return value


def read_object(data: Mapping[str, Any], key: str, path: str = "") -> dict[str, Any]:
    value = _get(data, key, path, {})
    if not isinstance(value, dict):
        raise _wrong(path + key, "must be an object")
    return value


def read_list(data: Mapping[str, Any], key: str, path: str = "", default: Any = MISSING) -> Any:
    value = _get(data, key, path, default)
    if value is None and default is None:
        return None
    if not isinstance(value, list):
        raise _wrong(path + key, "must be a list")
    return value


def require_object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _wrong(path, "must be an object")
    return value


def _get(data: Mapping[str, Any], key: str, path: str, default: Any) -> Any:
    if key in data:
        return data[key]
    if default is MISSING:
        raise _wrong(path + key, "is required")
    return default


def _wrong(path: str, problem: str) -> ValidationFailed:
    return ValidationFailed(f"invalid {path}: {problem}", {path: problem})
