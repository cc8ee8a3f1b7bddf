"""Orders: place, edit while new, move through the status machine, read and list.

Every write locks the order row (``SELECT ... FOR UPDATE``) before reading its status and version,
so two concurrent changes to one order run one after the other: the second sees the first's
result and is refused by the status machine or by its stale `expected_version` (the If-Match
ETag), never silently overwriting it. Each change bumps `version` and `updated_at`, and
`on_change(session, tenant_id, before, after)` runs in the same transaction, so what listens to
it (KPI rollups, the WhatsApp notifier's outbox) commits or rolls back together with the order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Order, OrderStatusChange
from comandia.server.services.orders.placing import place_order
from comandia.server.services.orders.pricing import price_lines, release_stock
from comandia.server.services.orders.search import search_orders
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.domain.money import MAX_AMOUNT, order_totals, parse_amount
from comandia.shared.domain.orders import ORDER_CHANNELS, OrderStatus, allowed_next, check_transition
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import N_
from comandia.shared.schemas.orders import (
    OrderDetail,
    OrderEdit,
    OrderInput,
    OrderItemInfo,
    OrderPage,
    OrderQuery,
    StatusChangeInfo,
)

OnChange = Callable[[Session, str, OrderDetail | None, OrderDetail], None]
"""Called as ``on_change(session, tenant_id, before, after)``; `before` is None for a new order."""

MAX_TEXT = 2000
MAX_ACTOR = 120
CHAT_ACTOR = "whatsapp"
"""Who a change made by the customer in the WhatsApp chat is recorded as (placing, cancelling)."""


class CustomerCancel(StrEnum):
    """What became of a customer's request, in the chat, to cancel their latest order."""

    CANCELLED = "cancelled"
    ALREADY = "already"  # it was cancelled before
    NOT_NEW = "not_new"  # confirmed or further on: only the business can cancel it now
    TOO_LATE = "too_late"  # placed longer ago than the tenant's customer_cancel_minutes
    NOT_BY_CHAT = "not_by_chat"  # the tenant's customer_cancel_minutes is 0: never by chat
    NOT_FOUND = "not_found"  # not the customer's latest order (or not theirs at all)


_STAMPS = {
    OrderStatus.CONFIRMED: "confirmed_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}
_TEXTS = ("delivery_address", "delivery_city", "delivery_region", "notes")


class OrderService:
    """Orders of each tenant.

    Args:
        databases: the appliance's databases.
        on_change: called inside the transaction after every create, edit and status change.
        clock: the time stamped on orders and their history (tests inject their own).
    """

    def __init__(
        self,
        databases: Databases,
        on_change: OnChange | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._db = databases
        self._on_change = on_change
        self._clock = clock

    def create(self, tenant_id: str, data: OrderInput, actor: str) -> OrderDetail:
        """Place an order priced from the catalog; its stock is taken at once.

        Raises:
            ValidationFailed: an unknown channel or customer, a bad fee or text, or bad lines
                (field paths such as ``items[1].quantity``; see `order_pricing.price_lines`).
        """
        if data.channel not in ORDER_CHANNELS:
            raise ValidationFailed(
                "unknown channel '{value}'",
                {"channel": N_("must be one of: {names}")},
                value=data.channel,
                names=", ".join(ORDER_CHANNELS),
            )
        fee = parse_amount(data.delivery_fee or 0, "delivery_fee")
        texts = _clean_texts({key: getattr(data, key) for key in _TEXTS})
        now = self._clock()
        with self._db.tenant_session(tenant_id) as session:
            after = place_order(session, data, texts, fee, _actor(actor), now)
            if self._on_change is not None:
                self._on_change(session, tenant_id, None, after)
            session.commit()
            return after

    def get(self, tenant_id: str, order_id: int) -> OrderDetail:
        """Raises: NotFound."""
        with self._db.tenant_session(tenant_id) as session:
            return order_detail(_order(session, order_id, lock=False))

    def list(self, tenant_id: str, query: OrderQuery) -> OrderPage:
        """One page of orders; see `order_search.search_orders`. Raises: ValidationFailed."""
        with self._db.tenant_session(tenant_id) as session:
            return search_orders(session, query)

    def edit(
        self,
        tenant_id: str,
        order_id: int,
        changes: OrderEdit,
        actor: str,
        expected_version: int | None = None,
    ) -> OrderDetail:
        """Change the lines, delivery data, notes or fee of an order that is still new.

        New lines are priced from the catalog as it is now; the old lines' stock is given back.

        Raises:
            NotFound: no such order.
            Conflict: `expected_version` is stale, or the order is no longer new.
            ValidationFailed: as in `create`.
        """
        fee = None if changes.delivery_fee is None else parse_amount(changes.delivery_fee, "delivery_fee")
        texts = _clean_texts({k: getattr(changes, k) for k in _TEXTS if getattr(changes, k) is not None})
        with self._db.tenant_session(tenant_id) as session:
            order = _order(session, order_id, lock=True)
            _check_version(order, expected_version)
            if order.status != OrderStatus.NEW:
                raise Conflict(
                    "order {number} is {status}; only new orders can be edited",
                    number=order.number,
                    status=order.status,
                )
            before = order_detail(order)
            fee = order.delivery_fee if fee is None else fee
            if changes.items is None:
                lines = [(item.unit_price, item.quantity) for item in order.items]
                totals = order_totals(lines, fee, order.currency)
            else:
                release_stock(session, order.items)
                priced = price_lines(session, changes.items, fee, order.currency)
                order.items.clear()
                session.flush()  # delete the old lines before the new ones take their positions
                order.items.extend(priced.items)
                totals = priced.totals
            if totals.total >= MAX_AMOUNT:
                raise ValidationFailed(
                    "the order total is too large", {"delivery_fee": N_("makes the total too large")}
                )
            order.subtotal, order.delivery_fee, order.total = (
                totals.subtotal,
                totals.delivery_fee,
                totals.total,
            )
            for key, value in texts.items():
                setattr(order, key, value)
            self._bump(order)
            return self._finish(session, tenant_id, before, order)

    def change_status(
        self,
        tenant_id: str,
        order_id: int,
        to: str,
        actor: str,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> OrderDetail:
        """Move an order to status `to`, record it in the history and stamp its time.

        Cancelling gives the lines' stock back.

        Raises:
            NotFound: no such order.
            Conflict: `expected_version` is stale.
            InvalidTransition: the status machine does not allow it (names the allowed next states).
            ValidationFailed: an unknown status, or a cancellation without a reason.
        """
        with self._db.tenant_session(tenant_id) as session:
            order = _order(session, order_id, lock=True)
            _check_version(order, expected_version)
            check_transition(order.status, to, reason)
            return self._move(session, tenant_id, order, OrderStatus(to), actor, reason)

    def cancel_by_customer(
        self, tenant_id: str, number: int, customer_id: int, limit_minutes: int | None, reason: str
    ) -> tuple[CustomerCancel, str]:
        """Cancel order `number` because its customer asked to in the chat, when they still may.

        The order must be the customer's latest, still `new`, and (with a limit) placed at most
        `limit_minutes` ago (the tenant's `customer_cancel_minutes`; 0: never by chat). The change
        is recorded like a manager's, with the actor `CHAT_ACTOR` and `reason` (in the tenant's
        language), and gives the stock back. Nothing is raised for a refusal: the bot says why.

        Returns:
            What happened (`CustomerCancel`) and the order's status now ("" when not found), for
            the bot's answer.
        """
        with self._db.tenant_session(tenant_id) as session:
            order = session.scalar(
                sa.select(Order).where(Order.customer_id == customer_id)
                .order_by(Order.created_at.desc(), Order.id.desc()).limit(1).with_for_update()
            )  # fmt: skip
            if order is None or order.number != number:
                return CustomerCancel.NOT_FOUND, ""
            if order.status == OrderStatus.CANCELLED:
                return CustomerCancel.ALREADY, order.status
            if order.status != OrderStatus.NEW:
                return CustomerCancel.NOT_NEW, order.status
            if limit_minutes == 0:  # not "0 minutes after": an order placed this instant is not cancelled either
                return CustomerCancel.NOT_BY_CHAT, order.status
            if limit_minutes is not None and self._clock() - order.created_at > dt.timedelta(minutes=limit_minutes):
                return CustomerCancel.TOO_LATE, order.status
            after = self._move(session, tenant_id, order, OrderStatus.CANCELLED, CHAT_ACTOR, reason)
            return CustomerCancel.CANCELLED, after.status

    def _move(
        self, session: Session, tenant_id: str, order: Order, target: OrderStatus, actor: str, reason: str | None
    ) -> OrderDetail:
        """Apply a checked status change to a locked order, record it and commit."""
        before = order_detail(order)
        now = self._clock()
        clean_reason = reason.strip()[:MAX_TEXT] if reason and reason.strip() else None
        if target is OrderStatus.CANCELLED:
            release_stock(session, order.items)
            order.cancel_reason = clean_reason
        setattr(order, _STAMPS[target], now)
        order.history.append(
            OrderStatusChange(
                from_status=order.status,
                to_status=target.value,
                actor=_actor(actor),
                at=now,
                reason=clean_reason,
            )
        )
        order.status = target.value
        self._bump(order, now)
        return self._finish(session, tenant_id, before, order)

    def _bump(self, order: Order, now: dt.datetime | None = None) -> None:
        order.version += 1
        order.updated_at = now or self._clock()

    def _finish(self, session: Session, tenant_id: str, before: OrderDetail | None, order: Order) -> OrderDetail:
        session.flush()
        after = order_detail(order)
        if self._on_change is not None:
            self._on_change(session, tenant_id, before, after)
        session.commit()
        return after


def order_detail(order: Order) -> OrderDetail:
    return OrderDetail(
        id=order.id,
        number=order.number,
        status=order.status,
        channel=order.channel,
        customer_id=order.customer_id,
        customer_name=order.customer_name,
        customer_phone=order.customer_phone,
        delivery_address=order.delivery_address,
        delivery_city=order.delivery_city,
        delivery_region=order.delivery_region,
        notes=order.notes,
        subtotal=order.subtotal,
        delivery_fee=order.delivery_fee,
        total=order.total,
        currency=order.currency,
        extra=dict(order.extra),
        version=order.version,
        created_at=order.created_at,
        updated_at=order.updated_at,
        confirmed_at=order.confirmed_at,
        shipped_at=order.shipped_at,
        completed_at=order.completed_at,
        cancelled_at=order.cancelled_at,
        cancel_reason=order.cancel_reason,
        fulfilment=order.fulfilment,
        delivery_zone=order.delivery_zone,
        payment_method=order.payment_method,
        pay_with=order.pay_with,
        items=tuple(
            OrderItemInfo(
                id=i.id,
                product_id=i.product_id,
                sku=i.sku,
                name=i.name,
                unit_price=i.unit_price,
                quantity=i.quantity,
                line_total=i.line_total,
                note=i.note,
            )
            for i in order.items
        ),
        history=tuple(
            StatusChangeInfo(from_status=h.from_status, to_status=h.to_status, actor=h.actor, at=h.at, reason=h.reason)
            for h in order.history
        ),
        allowed_next=tuple(s.value for s in allowed_next(order.status)),
    )


def _order(session: Session, order_id: int, lock: bool) -> Order:
    query = sa.select(Order).where(Order.id == order_id)
    if lock:
        query = query.with_for_update()
    order = session.scalar(query)
    if order is None:
        raise NotFound("order {id} does not exist", id=order_id)
    return order


def _check_version(order: Order, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != order.version:
        raise Conflict(
            "order {number} was changed by someone else (it is at version {version}, you had {expected}); "
            "reload it and try again",
            number=order.number,
            version=order.version,
            expected=expected_version,
        )


def _actor(actor: str) -> str:
    text = actor.strip()
    if not text:
        raise ValidationFailed("who made the change is required", {"actor": N_("must not be empty")})
    return text[:MAX_ACTOR]


def _clean_texts(values: dict[str, str | None]) -> dict[str, str | None]:
    cleaned: dict[str, str | None] = {}
    for key, value in values.items():
        text = (value or "").strip()
        if len(text) > MAX_TEXT:
            raise ValidationFailed(
                "{field} is too long", {key: N_("must be at most {n} characters")}, field=key, n=MAX_TEXT
            )
        cleaned[key] = text or None
    return cleaned
