"""Request bodies and query strings, parsed once at the edge into typed values (STYLE rule 7).

Anything a client sends that breaks the contract is refused here with `ValidationFailed` naming
the field, so resources and services never see raw dicts of unknown shape. Unknown fields are
refused too: a typo in a field name should not be silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import falcon

from comandia.shared.domain.errors import NotFound, ValidationFailed


class Body:
    """A JSON object from a request body, read field by field."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    def read(cls, req: falcon.Request, allowed: Iterable[str]) -> Body:
        """Parse the body as a JSON object with only the `allowed` fields.

        Raises:
            falcon.HTTPBadRequest: malformed JSON or no body (falcon's own 400).
            ValidationFailed: not an object, or an unknown field.
        """
        data = req.get_media()
        if not isinstance(data, dict):
            raise ValidationFailed("the body must be a JSON object", {"body": "must be an object"})
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            fields = {name[:64]: "unknown field" for name in unknown[:10]}
            raise ValidationFailed(f"unknown field(s): {', '.join(unknown)[:200]}", fields)
        _check_tree(data, "")
        return cls(data)

    @property
    def data(self) -> dict[str, Any]:
        """The whole object, for a schema's `from_json` (already checked to be storable)."""
        return self._data

    def has(self, name: str) -> bool:
        return name in self._data

    def text(self, name: str, max_len: int = 1000, min_len: int = 0) -> str:
        """A required string field."""
        value = self._data.get(name)
        if name not in self._data:
            raise ValidationFailed(f"{name} is required", {name: "is required"})
        return _check_text(name, value, max_len, min_len)

    def optional_text(self, name: str, max_len: int = 1000, min_len: int = 0) -> str | None:
        """A string field that may be absent or null."""
        value = self._data.get(name)
        return None if value is None else _check_text(name, value, max_len, min_len)

    def optional_flag(self, name: str) -> bool | None:
        """A boolean field that may be absent or null."""
        value = self._data.get(name)
        if value is not None and not isinstance(value, bool):
            raise ValidationFailed(f"{name} must be true or false", {name: "must be a boolean"})
        return value

    def raw(self, name: str) -> Any:
        """A field as parsed JSON, for a schema parser of its own (`from_json`)."""
        return self._data.get(name)


_INT_LIMIT = 2**31 - 1  # the widest integer column a request can reach is a PostgreSQL integer


def _check_tree(value: Any, path: str) -> None:
    """Refuse, anywhere in a JSON document, text PostgreSQL cannot store and integers out of range."""
    if isinstance(value, str):
        _check_storable(path or "body", value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > _INT_LIMIT:
            raise ValidationFailed(
                f"{path or 'body'} is out of range", {path or "body": "number out of range"}
            )
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValidationFailed(f"{path or 'body'} must be finite", {path or "body": "must be finite"})
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_tree(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_storable(path or "body", key)
            _check_tree(item, f"{path}.{key}" if path else key)


def _check_text(name: str, value: Any, max_len: int, min_len: int) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a string", {name: "must be a string"})
    _check_storable(name, value)
    if len(value) > max_len:
        raise ValidationFailed(f"{name} is too long", {name: f"must be at most {max_len} characters"})
    if len(value) < min_len:
        raise ValidationFailed(f"{name} is too short", {name: f"must be at least {min_len} characters"})
    return value


def _check_storable(name: str, value: str) -> None:
    """PostgreSQL refuses NUL in text and UTF-8 cannot carry lone surrogates: refuse both here."""
    if "\x00" in value:
        raise ValidationFailed(f"{name} must not contain NUL characters", {name: "contains NUL"})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationFailed(f"{name} is not valid Unicode text", {name: "invalid text"}) from None


def query_text(req: falcon.Request, name: str, max_len: int = 200) -> str | None:
    """An optional text query parameter, refused when too long or not storable."""
    value = req.get_param(name)
    if value is None:
        return None
    return _check_text(name, value, max_len, 0)


def path_id(value: str, what: str) -> int:
    """A numeric ID from the URL; anything else names nothing, so it is 404 like a missing ID."""
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise NotFound(f"{what} {value[:40]} does not exist")
    return int(value)


def query_int(req: falcon.Request, name: str, minimum: int = 1, maximum: int = _INT_LIMIT) -> int | None:
    """An optional whole-number query parameter within [minimum, maximum]."""
    value = req.get_param(name)
    if value is None:
        return None
    text = value.strip()
    if not text.lstrip("-").isdigit() or not text.isascii() or len(text) > 12:
        raise ValidationFailed(f"{name} must be a whole number", {name: "must be a whole number"})
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValidationFailed(f"{name} is out of range", {name: f"must be between {minimum} and {maximum}"})
    return number


def query_flag(req: falcon.Request, name: str, default: bool = False) -> bool:
    """A `true`/`false` query parameter."""
    value = req.get_param(name)
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise ValidationFailed(f"{name} must be true or false", {name: "must be true or false"})
