"""Keyset pagination: a page ends with a cursor naming the last row's sort key and id.

Keyset (``WHERE (key, id) < (:key, :id) ORDER BY key DESC, id DESC LIMIT n``) costs the same on
page 500 as on page 1 and does not skip or repeat rows when new orders arrive between pages, which
OFFSET would. The cursor is opaque to clients: URL-safe base64 of a small JSON array.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from comandia.shared.domain.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def clamp_limit(limit: int | None) -> int:
    """A page size between 1 and `MAX_PAGE_SIZE` (None means the default)."""
    if limit is None:
        return DEFAULT_PAGE_SIZE
    return max(1, min(MAX_PAGE_SIZE, limit))


def encode_cursor(sort: str, key: Any, row_id: int) -> str:
    raw = json.dumps([sort, key, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """The (key, id) a cursor carries.

    Raises:
        ValidationFailed: the cursor is malformed or was made for another sort (field ``cursor``).
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, key, row_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise _bad_cursor("is not a cursor from this list") from None
    if made_for != sort:
        raise _bad_cursor("was made for another sort order; start from the first page")
    if not is_bigint(row_id):
        raise _bad_cursor("is not a cursor from this list")
    return key, row_id


def is_bigint(value: Any) -> bool:
    """Whether `value` is a whole number a PostgreSQL bigint holds (a bool is not a number here)."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _bad_cursor(problem: str) -> ValidationFailed:
    return ValidationFailed("invalid cursor: {problem}", {"cursor": problem}, problem=problem)
