"""Catalog, customers and orders.

Revision ID: t0002
Revises: t0001
Create Date: 2026-11-28

The rules that keep the money right live here as constraints, so a bug or a hand-written UPDATE
cannot store an order whose numbers disagree: quantities are positive, each line is
`unit_price * quantity`, `total = subtotal + delivery_fee`, and a deferred constraint trigger
checks at commit that an order's subtotal is the sum of its lines (a CHECK cannot see other rows).

Indexes are for the console's order list on ~100,000 orders: newest first with or without a status
filter (keyset on `(created_at, id)`), by customer, and a text search over the order number and the
customer's name and phone kept in a generated `tsvector` with the 'simple' configuration (no
language stemming, and no extension such as pg_trgm, which is not always installed).
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR

revision = "t0002"
down_revision = "t0001"
branch_labels = None
depends_on = None

STATUSES = "('new', 'confirmed', 'shipped', 'completed', 'cancelled')"
CHANNELS = "('whatsapp', 'api', 'console', 'import')"

# Tokens: the order number, the customer's name words, the phone without "+" and its last ten
# digits (what people type for a national number), so a prefix query finds any of them.
SEARCH_EXPRESSION = (
    "to_tsvector('simple'::regconfig, number::text || ' ' || coalesce(customer_name, '') || ' ' "
    "|| ltrim(customer_phone, '+') || ' ' || right(customer_phone, 10))"
)

SUBTOTAL_CHECK = """
CREATE FUNCTION check_order_subtotal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
    stored numeric;
    summed numeric;
BEGIN
    IF TG_TABLE_NAME = 'orders' THEN
        target := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        target := OLD.order_id;
    ELSE
        target := NEW.order_id;
    END IF;
    SELECT subtotal INTO stored FROM orders WHERE id = target;
    IF NOT FOUND THEN
        RETURN NULL;  -- the order itself was deleted
    END IF;
    SELECT coalesce(sum(line_total), 0) INTO summed FROM order_items WHERE order_id = target;
    IF stored <> summed THEN
        RAISE EXCEPTION 'order % has subtotal % but its lines add up to %', target, stored, summed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_orders_subtotal_matches_items';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ck_orders_subtotal_matches_items
    AFTER INSERT OR UPDATE OF subtotal ON orders DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION check_order_subtotal();
CREATE CONSTRAINT TRIGGER ck_order_items_subtotal_matches_items
    AFTER INSERT OR UPDATE OR DELETE ON order_items DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION check_order_subtotal();
"""


def _created() -> sa.Column[Any]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()"))


def _updated() -> sa.Column[Any]:
    return sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()"))


def _extra() -> sa.Column[Any]:
    return sa.Column("extra", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.BigInteger, sa.Identity(always=False), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "categories",
        _id(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
        _created(),
    )
    op.create_index("uq_categories_lower_name", "categories", [sa.text("lower(name)")], unique=True)

    op.create_table(
        "products",
        _id(),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("category_id", sa.BigInteger, sa.ForeignKey("categories.id", ondelete="SET NULL")),
        sa.Column("price", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("available", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("stock", sa.Integer),
        sa.Column("image_url", sa.Text),
        sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
        _extra(),
        _created(),
        _updated(),
        sa.UniqueConstraint("sku", name="uq_products_sku"),
        sa.CheckConstraint("price >= 0", name="ck_products_price_not_negative"),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="ck_products_stock_not_negative"),
        sa.CheckConstraint("sku <> ''", name="ck_products_sku_not_empty"),
    )
    op.create_index("ix_products_category_id", "products", ["category_id"])

    op.create_table(
        "customers",
        _id(),
        sa.Column("wa_id", sa.String(32)),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120)),
        sa.Column("city", sa.String(120)),
        sa.Column("region", sa.String(120)),
        sa.Column("default_address", sa.Text),
        sa.Column("notes", sa.Text),
        _extra(),
        sa.Column("first_order_at", sa.DateTime(timezone=True)),
        sa.Column("last_order_at", sa.DateTime(timezone=True)),
        _created(),
        _updated(),
        sa.UniqueConstraint("wa_id", name="uq_customers_wa_id"),
        sa.UniqueConstraint("phone", name="uq_customers_phone"),
        sa.CheckConstraint(r"phone ~ '^\+[1-9][0-9]{1,14}$'", name="ck_customers_phone_e164"),
    )
    op.create_index("ix_customers_lower_name", "customers", [sa.text("lower(name)")])

    op.execute("CREATE SEQUENCE order_number_seq AS bigint START 1")
    op.create_table(
        "orders",
        _id(),
        sa.Column("number", sa.BigInteger, nullable=False, server_default=sa.text("nextval('order_number_seq')")),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey("customers.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("customer_name", sa.String(120)),
        sa.Column("customer_phone", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("delivery_address", sa.Text),
        sa.Column("delivery_city", sa.String(120)),
        sa.Column("delivery_region", sa.String(120)),
        sa.Column("notes", sa.Text),
        sa.Column("subtotal", sa.Numeric(12, 2), nullable=False),
        sa.Column("delivery_fee", sa.Numeric(12, 2), nullable=False, server_default="0"),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _extra(),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _created(),
        _updated(),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("shipped_at", sa.DateTime(timezone=True)),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("cancel_reason", sa.Text),
        sa.Column("search", TSVECTOR, sa.Computed(SEARCH_EXPRESSION, persisted=True)),
        sa.UniqueConstraint("number", name="uq_orders_number"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="ck_orders_status"),
        sa.CheckConstraint(f"channel IN {CHANNELS}", name="ck_orders_channel"),
        sa.CheckConstraint("subtotal >= 0 AND delivery_fee >= 0", name="ck_orders_amounts_not_negative"),
        sa.CheckConstraint("total = subtotal + delivery_fee", name="ck_orders_total"),
        sa.CheckConstraint("version >= 1", name="ck_orders_version"),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)",
            name="ck_orders_cancellation",
        ),
    )
    op.execute("ALTER SEQUENCE order_number_seq OWNED BY orders.number")
    op.create_index("ix_orders_created", "orders", [sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_index("ix_orders_status_created", "orders", ["status", sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_index(
        "ix_orders_customer_created",
        "orders",
        ["customer_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    op.create_index("ix_orders_total", "orders", [sa.text("total DESC"), sa.text("id DESC")])
    op.create_index("ix_orders_search", "orders", ["search"], postgresql_using="gin")

    op.create_table(
        "order_items",
        _id(),
        sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("product_id", sa.BigInteger, sa.ForeignKey("products.id", ondelete="SET NULL")),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("line_total", sa.Numeric(12, 2), nullable=False),
        sa.UniqueConstraint("order_id", "position", name="uq_order_items_order_id"),
        sa.CheckConstraint("quantity > 0", name="ck_order_items_quantity_positive"),
        sa.CheckConstraint("unit_price >= 0", name="ck_order_items_unit_price_not_negative"),
        sa.CheckConstraint("line_total = unit_price * quantity", name="ck_order_items_line_total"),
    )
    op.create_index("ix_order_items_product_id", "order_items", ["product_id"])

    op.create_table(
        "order_status_history",
        _id(),
        sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("reason", sa.Text),
        sa.CheckConstraint(f"to_status IN {STATUSES}", name="ck_order_status_history_to_status"),
        sa.CheckConstraint(
            f"from_status IS NULL OR from_status IN {STATUSES}", name="ck_order_status_history_from_status"
        ),
    )
    op.create_index("ix_order_status_history_order_id", "order_status_history", ["order_id", "at", "id"])
    op.execute(SUBTOTAL_CHECK)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS ck_order_items_subtotal_matches_items ON order_items")
    op.execute("DROP TRIGGER IF EXISTS ck_orders_subtotal_matches_items ON orders")
    op.drop_table("order_status_history")
    op.drop_table("order_items")
    op.drop_table("orders")
    op.execute("DROP FUNCTION IF EXISTS check_order_subtotal()")
    op.drop_table("customers")
    op.drop_table("products")
    op.drop_table("categories")
