"""Tables of a tenant database: its catalog, customers and orders.

The schema is built by the hand-written migrations in `migrations/tenant`; these models mirror it
(tests/server/db/test_tenant_schema.py checks that they agree). Constraints are declared here too,
so that reading a model tells the rules the database enforces.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from comandia.server.db.types import E164, NAMING_CONVENTION, Json, Money, UtcDateTime
from comandia.shared.domain.orders import TEST_CHANNELS
from comandia.shared.domain.whatsapp import OutboxState

ORDER_STATUSES = ("new", "confirmed", "shipped", "completed", "cancelled")
SEARCH_EXPRESSION = (  # the same as in migration t0002
    "to_tsvector('simple'::regconfig, number::text || ' ' || coalesce(customer_name, '') || ' ' "
    "|| ltrim(customer_phone, '+') || ' ' || right(customer_phone, 10))"
)


class TenantBase(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> Any:
    return sa.func.now()


class Category(TenantBase):
    __tablename__ = "categories"
    __table_args__ = (sa.Index("uq_categories_lower_name", sa.text("lower(name)"), unique=True),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())


class Product(TenantBase):
    """A catalog entry; `sku` is also the WhatsApp catalog's product_retailer_id."""

    __tablename__ = "products"
    __table_args__ = (
        sa.UniqueConstraint("sku", name="uq_products_sku"),
        sa.CheckConstraint("price >= 0", name="ck_products_price_not_negative"),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="ck_products_stock_not_negative"),
        sa.CheckConstraint("sku <> ''", name="ck_products_sku_not_empty"),
        sa.CheckConstraint("cardinality(aliases) <= 20", name="ck_products_aliases_bounded"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    category_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    price: Mapped[Money]
    currency: Mapped[str] = mapped_column(sa.String(3))
    available: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    stock: Mapped[int | None]
    image_url: Mapped[str | None] = mapped_column(sa.Text)
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")
    # Other names customers use ("coca", "coke"); cleaned and kept unambiguous by the catalog
    # service (t0007).
    aliases: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list, server_default=sa.text("'{}'::text[]"))
    extra: Mapped[Json]
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    updated_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())

    category: Mapped[Category | None] = relationship(lazy="joined")


class Customer(TenantBase):
    __tablename__ = "customers"
    __table_args__ = (
        sa.UniqueConstraint("wa_id", name="uq_customers_wa_id"),
        sa.UniqueConstraint("phone", name="uq_customers_phone"),
        sa.CheckConstraint(r"phone ~ '^\+[1-9][0-9]{1,14}$'", name="ck_customers_phone_e164"),
        sa.Index("ix_customers_lower_name", sa.text("lower(name)")),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    wa_id: Mapped[str | None] = mapped_column(sa.String(32))
    phone: Mapped[E164]
    name: Mapped[str | None] = mapped_column(sa.String(120))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    region: Mapped[str | None] = mapped_column(sa.String(120))
    default_address: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    extra: Mapped[Json]
    first_order_at: Mapped[UtcDateTime | None]
    last_order_at: Mapped[UtcDateTime | None]
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    updated_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())


ORDER_NUMBERS = sa.Sequence("order_number_seq", metadata=TenantBase.metadata)


class Order(TenantBase):
    """An order; `version` grows by one on every change (the ETag), `number` is what people quote.

    `customer_name` and `customer_phone` are the customer's as of ordering: the order list shows
    and searches them without a join.
    """

    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("number", name="uq_orders_number"),
        sa.CheckConstraint(f"status IN {ORDER_STATUSES}", name="ck_orders_status"),
        sa.CheckConstraint("subtotal >= 0 AND delivery_fee >= 0", name="ck_orders_amounts_not_negative"),
        sa.CheckConstraint("total = subtotal + delivery_fee", name="ck_orders_total"),
        sa.CheckConstraint("version >= 1", name="ck_orders_version"),
        sa.CheckConstraint("fulfilment IN ('delivery', 'pickup')", name="ck_orders_fulfilment"),
        sa.CheckConstraint(
            "payment_method IS NULL OR payment_method IN ('cash', 'card_on_delivery', 'transfer', 'link')",
            name="ck_orders_payment_method",
        ),
        sa.CheckConstraint("pay_with IS NULL OR pay_with >= 0", name="ck_orders_pay_with"),
        sa.Index("ix_orders_created", sa.text("created_at DESC"), sa.text("id DESC")),
        sa.Index("ix_orders_status_created", "status", sa.text("created_at DESC"), sa.text("id DESC")),
        sa.Index("ix_orders_customer_created", "customer_id", sa.text("created_at DESC"), sa.text("id DESC")),
        sa.Index("ix_orders_total", sa.text("total DESC"), sa.text("id DESC")),
        sa.Index("ix_orders_search", "search", postgresql_using="gin"),
        # t0004: one order per confirmed WhatsApp checkout, however often the confirm is replayed.
        sa.Index(
            "uq_orders_chat_key",
            sa.text("(extra ->> 'chat_key')"),
            unique=True,
            postgresql_where=sa.text("extra ? 'chat_key'"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    number: Mapped[int] = mapped_column(sa.BigInteger, server_default=ORDER_NUMBERS.next_value())
    customer_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("customers.id", ondelete="RESTRICT"))
    customer_name: Mapped[str | None] = mapped_column(sa.String(120))
    customer_phone: Mapped[E164]
    status: Mapped[str] = mapped_column(sa.String(16), default="new", server_default="new")
    channel: Mapped[str] = mapped_column(sa.String(16))
    delivery_address: Mapped[str | None] = mapped_column(sa.Text)
    delivery_city: Mapped[str | None] = mapped_column(sa.String(120))
    delivery_region: Mapped[str | None] = mapped_column(sa.String(120))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    subtotal: Mapped[Money]
    delivery_fee: Mapped[Money] = mapped_column(server_default="0")
    total: Mapped[Money]
    currency: Mapped[str] = mapped_column(sa.String(3))
    extra: Mapped[Json]
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    updated_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    confirmed_at: Mapped[UtcDateTime | None]
    shipped_at: Mapped[UtcDateTime | None]
    completed_at: Mapped[UtcDateTime | None]
    cancelled_at: Mapped[UtcDateTime | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    # t0009: how the order is fulfilled and paid (the business rules' choices, kept as they applied).
    fulfilment: Mapped[str] = mapped_column(sa.String(16), default="delivery", server_default="delivery")
    delivery_zone: Mapped[str | None] = mapped_column(sa.String(80))
    payment_method: Mapped[str | None] = mapped_column(sa.String(32))
    pay_with: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    # Maintained by PostgreSQL (see the migration); deferred so loading an order never reads it.
    search: Mapped[Any] = mapped_column(TSVECTOR, sa.Computed(SEARCH_EXPRESSION), deferred=True)

    items: Mapped[list[OrderItem]] = relationship(
        order_by="OrderItem.position", cascade="all, delete-orphan", passive_deletes=True
    )
    history: Mapped[list[OrderStatusChange]] = relationship(
        order_by="OrderStatusChange.id", cascade="all, delete-orphan", passive_deletes=True
    )


def real_customer() -> sa.ColumnElement[bool]:
    """True for a customer who is not only a test chat's: someone who never ordered, or has an order
    through a real channel. A phone that has only test orders (`TEST_CHANNELS`: the test chat, a
    sandbox number) is a manager trying the bot, not a customer, so the customer list and the
    customer export leave it out. Both use this one expression, so they cannot disagree."""
    test = sa.exists().where(Order.customer_id == Customer.id, Order.channel.in_(sorted(TEST_CHANNELS)))
    real = sa.exists().where(Order.customer_id == Customer.id, Order.channel.not_in(sorted(TEST_CHANNELS)))
    return sa.or_(~test, real)


class OrderItem(TenantBase):
    """One line: the product as it was when ordered (SKU, name, price), so later edits don't rewrite it."""

    __tablename__ = "order_items"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "position", name="uq_order_items_order_id"),
        sa.CheckConstraint("quantity > 0", name="ck_order_items_quantity_positive"),
        sa.CheckConstraint("unit_price >= 0", name="ck_order_items_unit_price_not_negative"),
        sa.CheckConstraint("line_total = unit_price * quantity", name="ck_order_items_line_total"),
        sa.CheckConstraint("note IS NULL OR char_length(note) BETWEEN 1 AND 200", name="ck_order_items_note_bounded"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int]
    product_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    unit_price: Mapped[Money]
    quantity: Mapped[int]
    line_total: Mapped[Money]
    note: Mapped[str | None] = mapped_column(sa.Text)
    """What the customer asked of this line ("sin cebolla"), t0007."""


class OrderStatusChange(TenantBase):
    """One accepted status change; the first row of an order (from NULL to new) is its creation."""

    __tablename__ = "order_status_history"
    __table_args__ = (
        sa.CheckConstraint(f"to_status IN {ORDER_STATUSES}", name="ck_order_status_history_to_status"),
        sa.Index("ix_order_status_history_order_id", "order_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orders.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor: Mapped[str] = mapped_column(sa.String(120))
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    reason: Mapped[str | None] = mapped_column(sa.Text)


OUTBOX_STATES = tuple(OutboxState)


class InboxEvent(TenantBase):
    """One inbound WhatsApp message as received (raw JSON), stored before the webhook answers 200.

    `provider_message_id` (the wamid or Twilio's MessageSid) is unique: a provider's retry, even
    days late, inserts nothing. `processed_at` is set in the transaction that queues the replies.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        sa.UniqueConstraint("provider_message_id", name="uq_inbox_provider_message_id"),
        sa.Index(
            "ix_inbox_pending",
            "number_id",
            "customer_key",
            "id",
            postgresql_where=sa.text("processed_at IS NULL"),
        ),
        sa.Index("ix_inbox_customer_key", "customer_key", "id"),
        # The worker's "oldest pending" in id order, without stepping over processed rows (t0006).
        sa.Index("ix_inbox_unprocessed", "id", postgresql_where=sa.text("processed_at IS NULL")),
        # The superadmin summary counts one local day's messages (t0016).
        sa.Index("ix_inbox_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(16))
    number_id: Mapped[int] = mapped_column(sa.BigInteger)
    provider_message_id: Mapped[str] = mapped_column(sa.String(128))
    customer_key: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16))
    payload: Mapped[Json]
    received_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    processed_at: Mapped[UtcDateTime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(sa.Text)


class MessageStatus(TenantBase):
    """One delivery status of one of our messages; (wamid, status) is unique, so retries add nothing."""

    __tablename__ = "message_statuses"
    __table_args__ = (sa.UniqueConstraint("wamid", "status", name="uq_message_statuses_wamid"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    wamid: Mapped[str] = mapped_column(sa.String(128))
    status: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[UtcDateTime]
    error_code: Mapped[int | None]


class OutboxMessage(TenantBase):
    """One message to send: queued -> sending -> sent | failed; `status` follows delivery (monotonic).

    `seq` orders the messages of one customer on one number; `(in_reply_to, part)` is unique, so
    one inbound message queues its reply set at most once.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint(f"state IN {OUTBOX_STATES}", name="ck_outbox_state"),
        sa.UniqueConstraint("in_reply_to", "part", name="uq_outbox_in_reply_to"),
        sa.UniqueConstraint("number_id", "customer_wa_id", "seq", name="uq_outbox_number_id"),
        sa.Index("ix_outbox_due", "next_attempt_at", postgresql_where=sa.text("state IN ('queued', 'sending')")),
        sa.Index("ix_outbox_provider_message_id", "provider_message_id"),
        sa.Index(
            "ix_outbox_window_closed",
            "number_id",
            "customer_wa_id",
            "seq",
            postgresql_where=sa.text("status = 'failed' AND payload ? 'fallback_template'"),
        ),
        sa.Index("ix_outbox_created_at", "created_at"),  # one local day's sends for the summary (t0016)
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    number_id: Mapped[int] = mapped_column(sa.BigInteger)
    customer_wa_id: Mapped[str] = mapped_column(sa.String(64))
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    part: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    payload: Mapped[Json]
    state: Mapped[str] = mapped_column(sa.String(16), default="queued", server_default="queued")
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(128))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    claimed_at: Mapped[UtcDateTime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    error_code: Mapped[int | None]
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    sent_at: Mapped[UtcDateTime | None]
    status: Mapped[str | None] = mapped_column(sa.String(16))
    in_reply_to: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("inbox.id"))
    author: Mapped[str | None] = mapped_column(sa.String(120))
    """The manager who wrote this message by hand (t0008); None for the bot's replies and notices."""


class ChatSession(TenantBase):
    """One WhatsApp conversation: the flow's state for one customer on one receiving number.

    `number_id` is the control database's id of the receiving number, as text; `customer_wa_id`
    is the customer's wa_id (or BSUID). The row is locked while a message is handled, and its
    state starts over when `expires_at` (the last message plus the idle time) has passed.
    """

    __tablename__ = "chat_sessions"
    __table_args__ = (sa.UniqueConstraint("number_id", "customer_wa_id", name="uq_chat_sessions_number_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    number_id: Mapped[str] = mapped_column(sa.Text)
    customer_wa_id: Mapped[str] = mapped_column(sa.Text)
    customer_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[Json]
    updated_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    expires_at: Mapped[UtcDateTime]


CONVERSATION_STATES = ("bot", "waiting", "human")


class Conversation(TenantBase):
    """One customer on one receiving number, as the console lists and a person answers it (t0008).

    `public_id` is the opaque id of the API (no phone in URLs). `state`: the bot answers (`bot`),
    the customer waits for a person (`waiting`), or a person has the chat (`human`, `agent`).
    The last message, its direction and the unread count are kept here so the list needs no join.
    `misunderstood` counts the bot's failed understandings in a row (two hand the chat over).
    """

    __tablename__ = "conversations"
    __table_args__ = (
        sa.UniqueConstraint("public_id", name="uq_conversations_public_id"),
        sa.UniqueConstraint("number_id", "customer_key", name="uq_conversations_number_id"),
        sa.CheckConstraint(f"state IN {CONVERSATION_STATES}", name="ck_conversations_state"),
        sa.CheckConstraint("last_direction IN ('in', 'out')", name="ck_conversations_last_direction"),
        sa.CheckConstraint("unread >= 0", name="ck_conversations_unread_not_negative"),
        sa.Index("ix_conversations_recent", sa.text("last_message_at DESC"), sa.text("id DESC")),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(24))
    number_id: Mapped[int] = mapped_column(sa.BigInteger)
    customer_key: Mapped[str] = mapped_column(sa.String(64))
    customer_phone: Mapped[str | None] = mapped_column(sa.String(16))
    customer_name: Mapped[str | None] = mapped_column(sa.String(120))
    state: Mapped[str] = mapped_column(sa.String(16), default="bot", server_default="bot")
    state_changed_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    handoff_reason: Mapped[str | None] = mapped_column(sa.String(32))
    agent: Mapped[str | None] = mapped_column(sa.String(120))
    agent_active_at: Mapped[UtcDateTime | None]
    last_message_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    last_message_text: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    last_direction: Mapped[str] = mapped_column(sa.String(3), default="in", server_default="in")
    last_inbound_at: Mapped[UtcDateTime | None]
    unread: Mapped[int] = mapped_column(default=0, server_default="0")
    misunderstood: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())


MEDIA_STATES = ("pending", "stored", "failed", "expired")


class MediaFile(TenantBase):
    """A file a customer sent (t0012): its provider reference until the media worker downloads it,
    then where it is under the tenant's media folder (`path`, relative to it).

    `state`: `pending` (to download; `next_attempt_at` says when), `stored`, `failed` (`error` says
    why; the transcript says it could not be downloaded) or `expired` (deleted by the retention
    rule; the row stays so the transcript still says a file was sent).
    """

    __tablename__ = "media"
    __table_args__ = (
        sa.UniqueConstraint("public_id", name="uq_media_public_id"),
        sa.CheckConstraint(f"state IN {MEDIA_STATES}", name="ck_media_state"),
        sa.CheckConstraint("size IS NULL OR size >= 0", name="ck_media_size_not_negative"),
        sa.Index("ix_media_inbox_id", "inbox_id"),
        sa.Index("ix_media_due", "next_attempt_at", postgresql_where=sa.text("state = 'pending'")),
        sa.Index("ix_media_stored", "created_at", postgresql_where=sa.text("state = 'stored'")),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(24))
    inbox_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("inbox.id", ondelete="CASCADE"))
    number_id: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(16))
    provider_ref: Mapped[str] = mapped_column(sa.String(1024))
    declared_mime: Mapped[str | None] = mapped_column(sa.String(128))
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    caption: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16), default="pending", server_default="pending")
    mime: Mapped[str | None] = mapped_column(sa.String(128))
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    path: Mapped[str | None] = mapped_column(sa.String(255))
    attempts: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    next_attempt_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    stored_at: Mapped[UtcDateTime | None]


class Change(TenantBase):
    """One entry of the changes feed the console polls (t0008): `kind` names what, `ref` which one."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    ref: Mapped[str] = mapped_column(sa.String(64))
    detail: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    at: Mapped[UtcDateTime] = mapped_column(server_default=_now())


class OrderAlert(TenantBase):
    """The business told of a new order (t0010): one row per order and recipient, so never twice.

    A WhatsApp alert is an outbox message (`outbox_id`; its state is the outbox row's); an e-mail
    alert is sent from here: queued -> sending -> sent | failed, like the outbox.
    """

    __tablename__ = "order_alerts"
    __table_args__ = (
        sa.CheckConstraint("channel IN ('whatsapp', 'email')", name="ck_order_alerts_channel"),
        sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", name="ck_order_alerts_state"),
        sa.UniqueConstraint("order_id", "recipient", name="uq_order_alerts_order_id"),
        sa.Index(
            "ix_order_alerts_due",
            "next_attempt_at",
            postgresql_where=sa.text("channel = 'email' AND state IN ('queued', 'sending')"),
        ),
        sa.Index("ix_order_alerts_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orders.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    channel: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    outbox_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    """The outbox message of a WhatsApp alert (no foreign key: the outbox is pruned on its own)."""
    state: Mapped[str] = mapped_column(sa.String(16), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    claimed_at: Mapped[UtcDateTime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=_now())
    sent_at: Mapped[UtcDateTime | None]
