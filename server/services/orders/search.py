"""The order list: filters, sort and keyset pages, shaped for the indexes of migration t0002.

``(created_at, id)`` keyset matches `ix_orders_created` and, with a status filter,
`ix_orders_status_created`; a customer filter uses `ix_orders_customer_created`; text goes to the
GIN index on the generated `search` column as a prefix query on every word.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.tenant_models import Order, OrderItem
from comandia.server.services.pages import clamp_limit, decode_cursor, encode_cursor, is_bigint
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.orders import parse_status
from comandia.shared.i18n import N_
from comandia.shared.schemas.orders import (
    ORDER_SORTS,
    SUMMARY_ITEMS,
    SUMMARY_NOTE,
    OrderPage,
    OrderQuery,
    OrderSummary,
    OrderSummaryItem,
)

MAX_SEARCH_WORDS = 8
MIN_PHONE_DIGITS = 7
"""Fewer digits alone are read as an order number only: "55" would match nearly every phone."""
_DIGITS = re.compile(r"[0-9]{1,18}")
_WORD = re.compile(r"[^\W_]+")
_PHONE_LIKE = re.compile(r"\+?[0-9 ().\-]{4,}")

_SORT_COLUMNS: dict[str, Any] = {
    "created_at": Order.created_at,
    "number": Order.number,
    "total": Order.total,
}


def search_orders(session: Session, query: OrderQuery) -> OrderPage:
    """One page of orders matching `query`.

    Raises:
        ValidationFailed: an unknown status or sort, a bad cursor, or an empty date range.
    """
    if query.sort not in ORDER_SORTS:
        raise ValidationFailed(
            "unknown sort '{sort}'",
            {"sort": N_("must be one of {choices}")},
            sort=query.sort,
            choices=", ".join(ORDER_SORTS),
        )
    descending = query.sort.startswith("-")
    column = _SORT_COLUMNS[query.sort.lstrip("-")]
    size = clamp_limit(query.limit)
    # The number is unique on its own (uq_orders_number serves the sort); the others tie-break on id.
    keys = (column,) if query.sort.lstrip("-") == "number" else (column, Order.id)
    statement = sa.select(Order).where(*_filters(query))
    if query.cursor:
        key, last_id = decode_cursor(query.cursor, query.sort)
        bound = sa.tuple_(*keys)
        after = sa.tuple_(*(_key_from_json(query.sort, key), last_id)[: len(keys)])
        statement = statement.where(bound < after if descending else bound > after)
    order = tuple(k.desc() if descending else k.asc() for k in keys)
    rows = list(session.scalars(statement.order_by(*order).limit(size + 1)))
    page = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = page[-1]
        next_cursor = encode_cursor(query.sort, _key_to_json(getattr(last, column.key)), last.id)
    return OrderPage(items=order_summaries(session, page), next_cursor=next_cursor)


_RANKED_LINES = (
    sa.select(
        OrderItem.order_id,
        OrderItem.quantity,
        OrderItem.name,
        OrderItem.note,
        sa.func.row_number().over(partition_by=OrderItem.order_id, order_by=OrderItem.position).label("rank"),
        sa.func.count().over(partition_by=OrderItem.order_id).label("lines"),
    )
    .where(OrderItem.order_id.in_(sa.bindparam("order_ids", expanding=True)))
    .subquery()
)
_FIRST_LINES = (
    sa.select(_RANKED_LINES)
    .where(_RANKED_LINES.c.rank <= SUMMARY_ITEMS)
    .order_by(_RANKED_LINES.c.order_id, _RANKED_LINES.c.rank)
)
"""The first `SUMMARY_ITEMS` lines of the orders `order_ids`, each with its order's line count
(built once: the statement is the same for every page, only the ids change)."""
_ORDER_FIELDS = tuple(f for f in OrderSummary.__struct_fields__ if f not in ("items", "more_items"))


def order_summaries(session: Session, orders: Sequence[Order]) -> tuple[OrderSummary, ...]:
    """`orders` as the list shows them, each with its first `SUMMARY_ITEMS` lines.

    The lines of the whole page come in one query (never one per order, and never `Order.items`,
    which would load each order's lines apart), at most `SUMMARY_ITEMS` per order however long an
    order is, with the count of the rest.
    """
    if not orders:
        return ()
    lines: dict[int, list[OrderSummaryItem]] = {}
    counts: dict[int, int] = {}
    for row in session.execute(_FIRST_LINES, {"order_ids": [o.id for o in orders]}):
        lines.setdefault(row.order_id, []).append(
            OrderSummaryItem(quantity=row.quantity, name=row.name, note=_short_note(row.note))
        )
        counts[row.order_id] = row.lines
    summaries = []
    for order in orders:
        shown = tuple(lines.get(order.id, ()))
        # The row's own columns, as loaded (the types the schema declares): no re-validation needed.
        fields = {name: getattr(order, name) for name in _ORDER_FIELDS}
        summaries.append(OrderSummary(**fields, items=shown, more_items=counts.get(order.id, 0) - len(shown)))
    return tuple(summaries)


def _short_note(note: str | None) -> str | None:
    if note is None or len(note) <= SUMMARY_NOTE:
        return note
    return note[: SUMMARY_NOTE - 1].rstrip() + "…"


def text_query(text: str) -> str | None:
    """A `to_tsquery('simple', ...)` string: every word as a prefix, all required; None if no words.

    Something that looks like a phone number ("+52 55 1234-56") becomes one run of digits, since
    the search column holds phones without separators.
    """
    stripped = text.strip()
    if _PHONE_LIKE.fullmatch(stripped):
        words = ["".join(ch for ch in stripped if ch.isdigit())]
    else:
        words = _WORD.findall(stripped)[:MAX_SEARCH_WORDS]
    words = [w for w in words if w]
    return " & ".join(f"{word}:*" for word in words) if words else None


def _filters(query: OrderQuery) -> list[Any]:
    filters: list[Any] = []
    if query.statuses:
        statuses = [parse_status(s, f"statuses[{i}]").value for i, s in enumerate(query.statuses)]
        filters.append(Order.status.in_(statuses))
    if query.customer_id is not None:
        filters.append(Order.customer_id == query.customer_id)
    if query.created_from is not None:
        filters.append(Order.created_at >= query.created_from)
    if query.created_to is not None:
        filters.append(Order.created_at < query.created_to)
    if query.created_from and query.created_to and query.created_to <= query.created_from:
        raise ValidationFailed("the date range is empty", {"created_to": N_("must be after created_from")})
    if query.text:
        text_filter = _text_filter(query.text)
        if text_filter is not None:
            filters.append(text_filter)
    return filters


def _text_filter(text: str) -> Any | None:
    """Digits alone are an order number ("1042", "#1042") or, when long enough, a phone's start."""
    stripped = text.strip().removeprefix("#").strip()
    if _DIGITS.fullmatch(stripped):
        by_number = Order.number == int(stripped)
        if len(stripped) < MIN_PHONE_DIGITS:
            return by_number
        return sa.or_(by_number, _matches(f"{stripped}:*"))
    tsquery = text_query(stripped)
    return None if tsquery is None else _matches(tsquery)


def _matches(tsquery: str) -> Any:
    return Order.search.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'"), tsquery))


def _key_to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


_TOTAL_LIMIT = Decimal(10) ** 15
"""Above any order total a money column holds: a key beyond it names no row (and would overflow)."""


def _key_from_json(sort: str, key: Any) -> Any:
    """The sort key a cursor carries, as the column's type; a value the column cannot hold is refused."""
    try:
        if sort.endswith("created_at"):
            return dt.datetime.fromisoformat(key)
        if sort.endswith("total"):
            total = Decimal(key)
            if total.is_finite() and abs(total) < _TOTAL_LIMIT:
                return total
        elif is_bigint(key):
            return key
    except (TypeError, ValueError, ArithmeticError):
        pass
    raise ValidationFailed("invalid cursor", {"cursor": N_("is not a cursor from this list")})
