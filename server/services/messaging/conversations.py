"""WhatsApp conversations: run the chat flow for one inbound message against the tenant's data.

`ConversationService.handle` is what the transport's inbox worker calls for each inbound
message. It locks the (number, customer) session row (``SELECT ... FOR UPDATE``), so messages
of one customer are handled one after the other; reads the menu in the same transaction; runs
the pure `chat.flow.step`; stores the new state and commits; and places the order when the
customer confirmed.

Placing an order goes through `OrderService.create` (its stock checks and `on_change` listeners
such as KPI rollups), which commits in its own transaction; the customer is found or created
with `CustomerService` first for the same reason. So that a crash between that commit and ours
cannot place a second order on a retry, each order carries an idempotency key in
``extra["chat_key"]`` (session id and the chat's order count), unique in the database (index
``uq_orders_chat_key``, migration t0004) and looked up before creating. The turn is therefore
two short transactions around the order: see `ConversationService._place`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comandia.server.chat import flow
from comandia.server.chat.model import (
    Answer,
    CatalogView,
    CategoryView,
    CustomerRef,
    Inbound,
    LatestOrder,
    OrderDraft,
    ProductView,
    Reply,
    TenantContext,
)
from comandia.server.chat.state import ChatState
from comandia.server.chat.synonyms import extra_aliases
from comandia.server.db.pipelines import pipelined
from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import ChatSession, Customer, Order, OrderItem
from comandia.server.services.catalog.catalog import CatalogService
from comandia.server.services.customers import CustomerService, find_or_create_customer
from comandia.server.services.orders.orders import CHAT_ACTOR, CustomerCancel, OrderService
from comandia.server.services.orders.pricing import fit_note
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import format_money
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import N_, text
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from comandia.shared.schemas.rules import PAYMENT_KINDS, PaymentKind
from comandia.shared.schemas.wire import Amount

ACTOR = CHAT_ACTOR
CUSTOMER_CANCEL_REASON = N_("cancelled by the customer in the chat")
"""The reason managers read on an order the customer cancelled (in the tenant's language)."""
CHAT_KEY_INDEX = "uq_orders_chat_key"
SANDBOX_NUMBER = "sandbox"
"""The chat sessions' number id of test chats (the console's test chat, `comandia-admin chat`, the
sandbox API): their orders get the channel "sandbox", WhatsApp's get "whatsapp" (a number of the
sandbox provider is a test chat too: its inbox passes `test=True`)."""


class ConversationService:
    """The bot's side of every WhatsApp conversation.

    Args:
        databases: the appliance's databases.
        orders: places confirmed orders (channel "whatsapp"; "sandbox" for the test chat's).
        catalog: the catalog service (the menu itself is read inside the turn's transaction).
        customers: finds or creates the customer by wa_id / phone when an order is placed.
        clock: the current instant (tests and the sandbox inject their own).
        idle_minutes: a conversation idle this long starts over (the cart is dropped).
    """

    def __init__(
        self,
        databases: Databases,
        orders: OrderService,
        catalog: CatalogService,
        customers: CustomerService,
        clock: Callable[[], dt.datetime] = utcnow,
        idle_minutes: int = 60,
    ) -> None:
        self._db = databases
        self._orders = orders
        self._catalog = catalog
        self._customers = customers
        self._clock = clock
        self._idle = dt.timedelta(minutes=idle_minutes)
        self._menus = MenuMemo()

    def handle(self, tenant: TenantContext, number_id: str, customer: CustomerRef, message: Inbound) -> list[Reply]:
        """The replies (one, rarely two) to one inbound message, in order: `answer` without its flags."""
        return list(self.answer(tenant, number_id, customer, message).replies)

    def answer(
        self, tenant: TenantContext, number_id: str, customer: CustomerRef, message: Inbound, *, test: bool = False
    ) -> Answer:
        """Answer one inbound message: the replies to queue in order, the hand-off and understood flags.

        `test` marks a chat nobody really buys in (a number of the sandbox provider): its orders get
        the channel "sandbox", like the test chat's (`SANDBOX_NUMBER`), so they stay out of the KPIs.

        Raises:
            ValueError: `customer` has neither wa_id, user_id nor phone.
            Unavailable: the tenant's database cannot be reached (retry later).
        """
        now = self._clock()
        with self._db.tenant_session(tenant.tenant_id) as session:
            row, fresh, menu = _lock_session(session, number_id, customer.key, now + self._idle, tenant.currency)
            state = ChatState.from_json(row.state)
            if not fresh and row.expires_at <= now:
                in_progress = state.stage != "start" or bool(state.cart)
                state = state.restarted("expired" if in_progress else None)
            catalog = self._menus.catalog(tenant.tenant_id, tenant.currency, menu)
            latest = None
            if flow.wants_latest_order(state, message):
                latest = _latest_order(session, row.customer_id, customer)
            outcome = flow.step(state, message, tenant, catalog, customer, latest, now)
            customer_id = (
                row.customer_id if outcome.cancel_order is None else _customer_id(session, row.customer_id, customer)
            )
            # With a draft this stores the summary state: a replayed confirmation re-drafts
            # with the same sequence, hence the same key, and finds the order instead.
            session_id = row.id
            _commit_turn(session, session_id, outcome.state, now, self._idle)
        if outcome.cancel_order is not None:
            return Answer(tuple(self._cancel(tenant, outcome, outcome.cancel_order, customer_id)))
        if outcome.draft is None:
            return Answer(outcome.replies, handoff=outcome.handoff, understood=outcome.understood)
        channel = "sandbox" if test or number_id == SANDBOX_NUMBER else "whatsapp"
        return Answer(tuple(self._place(tenant, session_id, customer, outcome.draft, catalog, now, channel)))

    def _cancel(
        self, tenant: TenantContext, outcome: flow.Outcome, number: int, customer_id: int | None
    ) -> list[Reply]:
        """Cancel the order the customer asked to, when they still may; answer what happened.

        Like placing an order, it is the order service's own transaction (its history, stock
        and listeners), after the turn's; the flow's state needs no change either way.
        """
        result, status = CustomerCancel.NOT_FOUND, ""
        if customer_id is not None:
            reason = text(tenant.locale, CUSTOMER_CANCEL_REASON)
            limit = tenant.rules.customer_cancel_minutes
            result, status = self._orders.cancel_by_customer(tenant.tenant_id, number, customer_id, limit, reason)
        return list(flow.cancel_answered(tenant, outcome.state, number, result, status).replies)

    def status_notification(self, tenant: TenantContext, order_number: int, new_status: str) -> Reply:
        """The text telling the customer order `order_number` is now `new_status`, in their language."""
        return flow.status_notification(tenant, order_number, new_status)

    def _place(
        self,
        tenant: TenantContext,
        session_id: int,
        customer: CustomerRef,
        draft: OrderDraft,
        catalog: CatalogView,
        now: dt.datetime,
        channel: str,
    ) -> list[Reply]:
        """Place a confirmed draft, then record the answer in the session.

        The chat row is not locked meanwhile: a turn holds one pooled connection at a time
        (tenant pools have no overflow, so nested sessions could starve each other). Two
        confirmations racing here share one idempotency key, and the unique index on it
        (migration t0004) lets only one order through; the other finds it.
        """
        key = f"{session_id}:{draft.sequence}"
        customer_id: int | None = None
        placed: tuple[int, Decimal] | None = None
        problem = ""
        try:
            customer_id, placed = self._customer_and_placed(tenant.tenant_id, customer, draft, key)
            placed = placed or self._create(
                tenant.tenant_id, _order_input(customer_id, draft, key, tenant.delivery_fee, channel), key
            )
        except ValidationFailed as error:
            problem = _problem(error, draft, catalog)
        with self._db.tenant_session(tenant.tenant_id) as session:
            with pipelined(session) as pipeline:  # BEGIN and the lock in one round trip
                locked = pipeline.query(_LOCK_STATE, {"session_id": session_id})
            row = locked.fetchone()
            assert row is not None  # sessions are never deleted
            state = ChatState.from_json(row[0])
            found: int | None = None
            if placed is None:
                outcome = flow.order_failed(tenant, state, catalog, customer, problem)
            elif state.sequence >= draft.sequence:  # a racing confirmation already answered
                outcome = flow.order_already_placed(tenant, state)
            else:
                total_text = format_money(placed[1], tenant.currency, tenant.formats_locale)
                outcome = flow.order_placed(tenant, state, placed[0], total_text)
                found = customer_id
            _commit_turn(session, session_id, outcome.state, now, self._idle, found)
        return list(outcome.replies)

    def _customer_and_placed(
        self, tenant_id: str, customer: CustomerRef, draft: OrderDraft, key: str
    ) -> tuple[int, tuple[int, Decimal] | None]:
        """The customer (found or created) and the order already placed under `key`, as (number,
        total), in one short transaction (committed: the customer must exist for the order's).

        Raises:
            ValidationFailed: the phone or name cannot be stored (see `find_or_create_customer`).
        """
        with self._db.tenant_session(tenant_id) as session:
            found = find_or_create_customer(
                session, phone=customer.phone_e164 or draft.phone, wa_id=customer.wa_id, name=draft.name
            )
            customer_id = found.id
            placed = session.execute(_PLACED, {"key": key}).first()
            session.commit()
        return customer_id, None if placed is None else (placed.number, placed.total)

    def _placed(self, tenant_id: str, key: str) -> tuple[int, Decimal] | None:
        """The order already placed under idempotency key `key`, as (number, total)."""
        with self._db.tenant_session(tenant_id) as session:
            found = session.execute(_PLACED, {"key": key}).first()
        return None if found is None else (found.number, found.total)

    def _create(self, tenant_id: str, data: OrderInput, key: str) -> tuple[int, Decimal]:
        try:
            order = self._orders.create(tenant_id, data, actor=ACTOR)
        except sa.exc.IntegrityError as error:
            if getattr(getattr(error.orig, "diag", None), "constraint_name", None) != CHAT_KEY_INDEX:
                raise
            placed = self._placed(tenant_id, key)  # a racing confirmation placed it first
            assert placed is not None
            return placed
        return order.number, order.total


_PLACED = sa.select(Order.number, Order.total).where(Order.extra["chat_key"].astext == sa.bindparam("key"))
# A turn's own statements are psycopg's, sent in pipelines (server/db/pipelines.py): BEGIN, the
# session's lock and the menu in one round trip, the state's UPDATE and COMMIT in another (they
# were five, each waited for), and plain rows skip SQLAlchemy's result machinery.
_LOCK_SESSION = (
    "SELECT id, customer_id, state, expires_at FROM chat_sessions"
    " WHERE number_id = %(number_id)s AND customer_wa_id = %(key)s FOR UPDATE"
)
_LOCK_STATE = "SELECT state FROM chat_sessions WHERE id = %(session_id)s FOR UPDATE"
_SET_CUSTOMER = "UPDATE chat_sessions SET customer_id = %(customer_id)s WHERE id = %(session_id)s"
_STORE_TURN = (
    "UPDATE chat_sessions SET state = %(state)s, updated_at = %(now)s, expires_at = %(expires_at)s"
    " WHERE id = %(session_id)s"
)


class _SessionRow(NamedTuple):
    """The columns of a chat session a turn reads."""

    id: int
    customer_id: int | None
    state: Any
    expires_at: dt.datetime


def _commit_turn(
    session: Session,
    session_id: int,
    state: ChatState,
    now: dt.datetime,
    idle: dt.timedelta,
    customer_id: int | None = None,
) -> None:
    """Store the turn's state (and the customer its order was placed for) and commit, in one round trip."""
    values = {"session_id": session_id, "state": Jsonb(state.to_json()), "now": now, "expires_at": now + idle}
    with pipelined(session) as pipeline:
        if customer_id is not None:
            pipeline.execute(_SET_CUSTOMER, {"session_id": session_id, "customer_id": customer_id})
        pipeline.execute(_STORE_TURN, values)
        pipeline.commit()
    session.commit()


def load_catalog(session: Session, currency: str) -> CatalogView:
    """The menu in display order, in one query (a turn is a handful of round trips; this is one).

    Products priced in another currency than the tenant's cannot be ordered, so they are left
    out; categories come from the products' rows, so an empty category is not listed. A product
    whose stock count reached 0 is unavailable, as one marked sold out is. Each
    product's aliases are the tenant's, then the built-in synonyms that apply (chat/synonyms.py).
    """
    with pipelined(session) as pipeline:
        rows = pipeline.query(_MENU_QUERY, {"currency": currency})
    return _catalog_from(rows.fetchall())


class MenuMemo:
    """The menu each tenant's last turn read, kept while its rows stay the same.

    Every turn still reads the rows (a price, a stock count or an alias changed by a manager is
    seen at once); only building the `CatalogView` again is skipped when they are equal, and the
    same object then finds the matcher's index by identity (`chat.matching.index_for`).
    """

    # The rows are read with the turn's lock (`_lock_session`); this only compares and builds.

    def __init__(self, tenants: int = 256) -> None:
        self._tenants = tenants
        self._menus: dict[tuple[str, str], tuple[Sequence[Any], CatalogView]] = {}
        self._lock = threading.Lock()

    def catalog(self, tenant_id: str, currency: str, rows: Sequence[tuple[Any, ...]]) -> CatalogView:
        """The `CatalogView` of `tenant_id`'s menu `rows` (as `_MENU_QUERY` returns them) in `currency`."""
        memo = (tenant_id, currency)
        with self._lock:
            seen = self._menus.get(memo)
        if seen is not None and seen[0] == rows:
            return seen[1]
        catalog = _catalog_from(rows)
        with self._lock:
            if len(self._menus) >= self._tenants and memo not in self._menus:
                self._menus.pop(next(iter(self._menus)))  # the menu built longest ago goes first
            self._menus.pop(memo, None)
            self._menus[memo] = (rows, catalog)
        return catalog


_MENU_QUERY = (  # the menu in display order, one row a product
    "SELECT p.sku, p.name, p.price, p.category_id, p.description, p.available, p.stock, p.aliases,"
    " c.name AS category_name, c.sort_order AS category_order"
    " FROM products p LEFT OUTER JOIN categories c ON c.id = p.category_id"
    " WHERE p.currency = %(currency)s ORDER BY p.sort_order, p.name, p.id"
)


class _MenuRow(NamedTuple):
    """A row of `_MENU_QUERY`."""

    sku: str
    name: str
    price: Decimal
    category_id: int | None
    description: str
    available: bool
    stock: int | None
    aliases: list[str]
    category_name: str | None
    category_order: int | None


def _catalog_from(plain: Sequence[tuple[Any, ...]]) -> CatalogView:
    rows = [_MenuRow(*row) for row in plain]
    categories = {
        row.category_id: (row.category_order, row.category_name, row.category_id)
        for row in rows
        if row.category_id is not None and row.category_name is not None
    }
    extras = extra_aliases([(p.name, tuple(p.aliases)) for p in rows], [p.category_name for p in rows])
    return CatalogView(
        categories=tuple(CategoryView(id=i, name=n) for _, n, i in sorted(categories.values())),
        products=tuple(
            ProductView(
                sku=p.sku, name=p.name, price=p.price, category_id=p.category_id,
                description=p.description, available=p.available and p.stock != 0, stock=p.stock,
                aliases=tuple(p.aliases) + extra,
            )
            for p, extra in zip(rows, extras, strict=True)
        ),
    )  # fmt: skip


def _lock_session(
    session: Session, number_id: str, key: str, expires_at: dt.datetime, currency: str
) -> tuple[_SessionRow, bool, list[tuple[Any, ...]]]:
    """The session row, locked, created (empty) when missing; and the menu's rows (`_MENU_QUERY`)
    in `currency`. Returns (row, created, menu rows)."""
    keys = {"number_id": number_id, "key": key}
    with pipelined(session) as pipeline:  # BEGIN, the lock and the menu in one round trip
        locked = pipeline.query(_LOCK_SESSION, keys)
        menu = pipeline.query(_MENU_QUERY, {"currency": currency})
    row, rows = locked.fetchone(), menu.fetchall()
    if row is not None:
        return _SessionRow(*row), False, rows
    # ON CONFLICT DO NOTHING: the customer's first two messages may arrive together.
    session.execute(
        insert(ChatSession)
        .values(number_id=number_id, customer_wa_id=key, state={}, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["number_id", "customer_wa_id"])
    )
    with pipelined(session) as pipeline:
        locked = pipeline.query(_LOCK_SESSION, keys)
    row = locked.fetchone()
    assert row is not None
    return _SessionRow(*row), True, rows


def _customer_id(session: Session, known: int | None, customer: CustomerRef) -> int | None:
    """The customer writing: `known` (the one this chat placed an order for), else found by wa_id or phone."""
    if known is not None:
        return known
    clauses = [Customer.wa_id == customer.wa_id] if customer.wa_id else []
    clauses += [Customer.phone == customer.phone_e164] if customer.phone_e164 else []
    if not clauses:
        return None
    return session.scalar(sa.select(Customer.id).where(sa.or_(*clauses)).limit(1))


def _latest_order(session: Session, known: int | None, customer: CustomerRef) -> LatestOrder | None:
    customer_id = _customer_id(session, known, customer)
    if customer_id is None:
        return None
    found = session.execute(
        sa.select(Order.number, Order.status, Order.total)
        .where(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    lines = session.execute(  # for "lo mismo de la vez pasada": the lines still name their SKUs
        sa.select(OrderItem.sku, OrderItem.quantity)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.number == found.number)
        .order_by(OrderItem.position)
    ).all()
    return LatestOrder(
        number=found.number,
        status=found.status,
        total=found.total,
        lines=tuple((row.sku, row.quantity) for row in lines),
    )


def _order_input(customer_id: int, draft: OrderDraft, key: str, delivery_fee: Decimal, channel: str) -> OrderInput:
    extra: dict[str, object] = {"chat_key": key, "delivery_name": draft.name}
    if draft.latitude is not None and draft.longitude is not None:
        extra["location"] = {"latitude": draft.latitude, "longitude": draft.longitude}
    if draft.phone is not None:
        extra["contact_phone"] = draft.phone
    written: dict[str, list[str]] = {}
    for sku, note in draft.notes:
        written.setdefault(sku, []).append(note)
    notes = {sku: fit_note("; ".join(dict.fromkeys(texts))) for sku, texts in written.items()}
    return OrderInput(
        customer_id=customer_id,
        items=tuple(OrderLineInput(quantity=quantity, sku=sku, note=notes.get(sku)) for sku, quantity in draft.lines),
        channel=channel,
        delivery_address=draft.address or None,
        delivery_city=draft.city,
        delivery_fee=Amount(delivery_fee if draft.delivery_fee is None else draft.delivery_fee),
        fulfilment="pickup" if draft.fulfilment == "pickup" else "delivery",
        delivery_zone=draft.zone,
        payment_method=_payment_kind(draft.payment),
        pay_with=None if draft.pay_with is None else Amount(draft.pay_with),
        extra=extra,
    )


def _payment_kind(kind: str | None) -> PaymentKind | None:
    return next((k for k in PAYMENT_KINDS if k == kind), None)


def _problem(error: ValidationFailed, draft: OrderDraft, catalog: CatalogView) -> str:
    """The products a refused order tripped on, by name (the error's own text is English)."""
    names: list[str] = []
    for path in error.fields:
        if path.startswith("items[") and "]" in path:
            index = path[6 : path.index("]")]
            if index.isdigit() and int(index) < len(draft.lines):
                product = catalog.product(draft.lines[int(index)][0])
                names.append(product.name if product is not None else draft.lines[int(index)][0])
    return ", ".join(dict.fromkeys(names)) or error.detail
