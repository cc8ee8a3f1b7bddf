"""KPI rollups: per local day, what the dashboards read instead of scanning orders.

Revision ID: t0003
Revises: t0002
Create Date: 2026-11-28

Kept up to date by `services/kpis/rollups.py` in the same transaction as each order change, with
`INSERT ... ON CONFLICT DO UPDATE` adding deltas, so concurrent orders never lose an update.
`day` is the tenant's local calendar day of the order's `created_at` (docs/kpis.md).
Products, customers and places are rolled up per day and per month, customers also per year: a
long range reads its whole years and months from the coarser tables and only its ragged ends from
finer ones (services/kpis/ranges.cover).
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "t0003"
down_revision = "t0002"
branch_labels = None
depends_on = None

_MONEY = sa.Numeric(14, 2)


def _counts() -> list[sa.Column[Any]]:
    return [
        sa.Column("orders", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revenue", _MONEY, nullable=False, server_default="0"),
    ]


def upgrade() -> None:
    op.create_table(
        "kpi_daily_sales",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        *_counts(),
    )
    for grain in ("daily", "monthly"):  # a monthly row's `day` is the first day of its month
        op.create_table(
            f"kpi_{grain}_products",
            sa.Column("day", sa.Date, primary_key=True),
            sa.Column("sku", sa.String(64), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("quantity", sa.BigInteger, nullable=False, server_default="0"),
            sa.Column("revenue", _MONEY, nullable=False, server_default="0"),
        )
        op.create_table(
            f"kpi_{grain}_customers",
            sa.Column("day", sa.Date, primary_key=True),
            sa.Column("customer_id", sa.BigInteger, primary_key=True),
            *_counts(),
        )
        op.create_index(f"ix_kpi_{grain}_customers_customer", f"kpi_{grain}_customers", ["customer_id", "day"])
        op.create_table(
            f"kpi_{grain}_places",
            sa.Column("day", sa.Date, primary_key=True),
            sa.Column("city", sa.String(120), primary_key=True),  # '' when the order had none
            sa.Column("region", sa.String(120), primary_key=True),
            *_counts(),
        )
    # Customers per calendar year too (`day` is January 1st): customer rows are the many ones, and
    # a range of years reads a year, not twelve months (services/kpis/ranges.cover).
    op.create_table(
        "kpi_yearly_customers",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("customer_id", sa.BigInteger, primary_key=True),
        *_counts(),
    )
    # Each customer's first sale: "new customers" is a range count here, not a scan of history.
    op.create_table(
        "kpi_customer_first",
        sa.Column("customer_id", sa.BigInteger, primary_key=True),
        sa.Column("first_day", sa.Date, nullable=False),
    )
    op.create_index("ix_kpi_customer_first_first_day", "kpi_customer_first", ["first_day"])


def downgrade() -> None:
    op.drop_table("kpi_customer_first")
    op.drop_table("kpi_yearly_customers")
    for grain in ("monthly", "daily"):
        for noun in ("places", "customers", "products"):
            op.drop_table(f"kpi_{grain}_{noun}")
    op.drop_table("kpi_daily_sales")
