"""Orders remember how they are fulfilled and paid: delivery or pickup, the delivery zone, the
payment method and the cash the customer pays with.

Revision ID: t0009
Revises: t0008
Create Date: 2026-12-05

The fee itself was already on the order (`delivery_fee`); `delivery_zone` names the tenant's zone
that set it (a name, not a key: zones are settings that change, the order keeps what applied), so
the KPIs can add up sales by zone. `pay_with` is what the customer said they will pay in cash
("¿con cuánto vas a pagar?"), for the change.
"""

import sqlalchemy as sa
from alembic import op

revision = "t0009"
down_revision = "t0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("fulfilment", sa.String(16), nullable=False, server_default="delivery"))
    op.create_check_constraint("ck_orders_fulfilment", "orders", "fulfilment IN ('delivery', 'pickup')")
    op.add_column("orders", sa.Column("delivery_zone", sa.String(80), nullable=True))
    op.add_column("orders", sa.Column("payment_method", sa.String(32), nullable=True))
    op.create_check_constraint(
        "ck_orders_payment_method",
        "orders",
        "payment_method IS NULL OR payment_method IN ('cash', 'card_on_delivery', 'transfer', 'link')",
    )
    op.add_column("orders", sa.Column("pay_with", sa.Numeric(12, 2), nullable=True))
    op.create_check_constraint("ck_orders_pay_with", "orders", "pay_with IS NULL OR pay_with >= 0")


def downgrade() -> None:
    op.drop_constraint("ck_orders_pay_with", "orders", type_="check")
    op.drop_column("orders", "pay_with")
    op.drop_constraint("ck_orders_payment_method", "orders", type_="check")
    op.drop_column("orders", "payment_method")
    op.drop_column("orders", "delivery_zone")
    op.drop_constraint("ck_orders_fulfilment", "orders", type_="check")
    op.drop_column("orders", "fulfilment")
