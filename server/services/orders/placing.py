"""Placing a new order in two round trips, without the ORM's unit of work.

Order creation is the write every chat and every console makes, and it was mostly Python time:
the ORM building, tracking and flushing five objects, and a dozen answers waited for one by one.
Here the same rows are written with plain SQL, in the same transaction and the same lock order
(the customer row, then the products in id order, as `OrderService.edit` and cancellations take
them), and the same checks (`pricing.price_found`):

1. one pipeline locks the customer and the products (``FOR UPDATE``) and reads them;
2. the lines are priced in Python; nothing has been written yet, so a refusal leaves no trace;
3. one pipeline inserts the order, its lines and its first history entry (one statement), takes
   the stock and stamps the customer's first and last order.

The caller runs the `on_change` listeners and commits, as for every other order change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy.orm import Session

from comandia.server.db.pipelines import pipelined
from comandia.server.services.orders.pricing import Priceable, Pricing, failed, price_found, shape_problems
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import parse_amount
from comandia.shared.domain.orders import OrderStatus, allowed_next
from comandia.shared.i18n import N_
from comandia.shared.schemas.orders import OrderDetail, OrderInput, OrderItemInfo, StatusChangeInfo


@dataclass(frozen=True)
class _Product:
    id: int
    sku: str
    name: str
    price: Decimal
    currency: str
    available: bool
    stock: int | None


_LOCK_CUSTOMER = "SELECT id, name, phone FROM customers WHERE id = %(id)s FOR UPDATE"
_LOCK_PRODUCTS = (
    "SELECT id, sku, name, price, currency, available, stock FROM products "
    "WHERE sku = ANY(%(skus)s::text[]) OR id = ANY(%(ids)s::bigint[]) ORDER BY id FOR UPDATE OF products"
)
_INSERT = """
WITH o AS (
    INSERT INTO orders (customer_id, customer_name, customer_phone, status, channel, subtotal, delivery_fee, total,
                        currency, extra, fulfilment, delivery_zone, payment_method, pay_with, version, created_at,
                        updated_at, delivery_address, delivery_city, delivery_region, notes)
    VALUES (%(customer_id)s, %(customer_name)s, %(customer_phone)s, 'new', %(channel)s, %(subtotal)s,
            %(delivery_fee)s, %(total)s, %(currency)s, %(extra)s, %(fulfilment)s, %(delivery_zone)s,
            %(payment_method)s, %(pay_with)s, 1, %(now)s, %(now)s, %(delivery_address)s, %(delivery_city)s,
            %(delivery_region)s, %(notes)s)
    RETURNING id, number
), i AS (
    INSERT INTO order_items (order_id, position, product_id, sku, name, unit_price, quantity, line_total, note)
    SELECT o.id, l.position - 1, l.product_id, l.sku, l.name, l.unit_price, l.quantity, l.line_total, l.note
    FROM o, unnest(%(product_ids)s::bigint[], %(skus)s::text[], %(names)s::text[], %(prices)s::numeric[],
                   %(quantities)s::int[], %(totals)s::numeric[], %(notes_)s::text[])
            WITH ORDINALITY AS l(product_id, sku, name, unit_price, quantity, line_total, note, position)
    RETURNING id, position
), h AS (
    INSERT INTO order_status_history (order_id, from_status, to_status, actor, at)
    SELECT o.id, NULL, 'new', %(actor)s, %(now)s FROM o
)
SELECT o.id, o.number, (SELECT array_agg(i.id ORDER BY i.position) FROM i) FROM o
"""
_STAMP_CUSTOMER = (
    "UPDATE customers SET first_order_at = coalesce(first_order_at, %(now)s), "
    "last_order_at = greatest(last_order_at, %(now)s) WHERE id = %(id)s"
)
_TAKE_STOCK = (
    "UPDATE products p SET stock = p.stock - t.quantity "
    "FROM unnest(%(ids)s::bigint[], %(quantities)s::int[]) AS t(id, quantity) WHERE p.id = t.id"
)


def place_order(
    session: Session,
    data: OrderInput,
    texts: Mapping[str, str | None],
    fee: Decimal,
    actor: str,
    now: dt.datetime,
) -> OrderDetail:
    """Write a new order (not committed) and return it as placed.

    Raises:
        ValidationFailed: no such customer; or bad lines, every one named (see `pricing`).
    """
    problems = shape_problems(data.items)
    skus = sorted({line.sku.strip() for line in data.items if line.sku is not None})
    ids = sorted({line.product_id for line in data.items if line.product_id is not None})
    with pipelined(session) as pipeline:
        customer_rows = pipeline.query(_LOCK_CUSTOMER, {"id": data.customer_id})
        product_rows = None if problems else pipeline.query(_LOCK_PRODUCTS, {"skus": skus, "ids": ids})
    customer = customer_rows.fetchone()
    if customer is None:
        raise ValidationFailed("the customer does not exist", {"customer_id": N_("does not exist")})
    if problems or product_rows is None:
        raise failed(problems)
    pricing = price_found(data.items, _found(data.items, product_rows.fetchall()), fee)
    pay_with = None if data.pay_with is None else parse_amount(data.pay_with, "pay_with")
    order = {
        "customer_id": customer[0],
        "customer_name": customer[1],
        "customer_phone": customer[2],
        "channel": data.channel,
        "subtotal": pricing.totals.subtotal,
        "delivery_fee": pricing.totals.delivery_fee,
        "total": pricing.totals.total,
        "currency": pricing.currency,
        "extra": Jsonb(dict(data.extra)),
        "fulfilment": data.fulfilment,
        "delivery_zone": data.delivery_zone,
        "payment_method": data.payment_method,
        "pay_with": pay_with,
        "now": now,
        "actor": actor,
        **texts,
        **_line_arrays(pricing),
    }
    with pipelined(session) as pipeline:
        inserted = pipeline.query(_INSERT, order)
        pipeline.execute(_STAMP_CUSTOMER, {"id": customer[0], "now": now})
        if pricing.taken:
            pipeline.execute(_TAKE_STOCK, {"ids": list(pricing.taken), "quantities": list(pricing.taken.values())})
    row = inserted.fetchone()
    assert row is not None  # an INSERT ... VALUES of one row returns it
    return _detail(row[0], row[1], row[2], order, pricing, data, texts)


def _found(lines: Sequence[Any], rows: Sequence[tuple[Any, ...]]) -> dict[tuple[str, object], Priceable]:
    """The locked products by ("id", id) and ("sku", sku), and by each line's SKU as typed."""
    found: dict[tuple[str, object], Priceable] = {}
    for row in rows:
        product = _Product(*row)
        found[("sku", product.sku)] = product
        found[("id", product.id)] = product
    for line in lines:  # lines name SKUs as typed; they were looked up stripped
        if line.sku is not None and ("sku", line.sku) not in found and ("sku", line.sku.strip()) in found:
            found[("sku", line.sku)] = found[("sku", line.sku.strip())]
    return found


def _line_arrays(pricing: Pricing) -> dict[str, list[Any]]:
    lines = pricing.lines
    return {
        "product_ids": [line.product_id for line in lines],
        "skus": [line.sku for line in lines],
        "names": [line.name for line in lines],
        "prices": [line.unit_price for line in lines],
        "quantities": [line.quantity for line in lines],
        "totals": [line.line_total for line in lines],
        "notes_": [line.note for line in lines],
    }


def _detail(
    order_id: int,
    number: int,
    item_ids: list[int],
    order: Mapping[str, Any],
    pricing: Pricing,
    data: OrderInput,
    texts: Mapping[str, str | None],
) -> OrderDetail:
    now, actor = order["now"], order["actor"]
    return OrderDetail(
        id=order_id,
        number=number,
        status=OrderStatus.NEW.value,
        channel=data.channel,
        customer_id=order["customer_id"],
        customer_name=order["customer_name"],
        customer_phone=order["customer_phone"],
        delivery_address=texts["delivery_address"],
        delivery_city=texts["delivery_city"],
        delivery_region=texts["delivery_region"],
        notes=texts["notes"],
        subtotal=pricing.totals.subtotal,
        delivery_fee=pricing.totals.delivery_fee,
        total=pricing.totals.total,
        currency=pricing.currency,
        extra=dict(data.extra),
        version=1,
        created_at=now,
        updated_at=now,
        confirmed_at=None,
        shipped_at=None,
        completed_at=None,
        cancelled_at=None,
        cancel_reason=None,
        fulfilment=data.fulfilment,
        delivery_zone=data.delivery_zone,
        payment_method=data.payment_method,
        pay_with=order["pay_with"],
        items=tuple(
            OrderItemInfo(
                id=item_id,
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
                note=line.note,
            )
            for item_id, line in zip(item_ids, pricing.lines, strict=True)
        ),
        history=(
            StatusChangeInfo(from_status=None, to_status=OrderStatus.NEW.value, actor=actor, at=now, reason=None),
        ),
        allowed_next=tuple(s.value for s in allowed_next(OrderStatus.NEW.value)),
    )
