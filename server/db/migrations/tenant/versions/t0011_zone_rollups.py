"""KPI rollups of sales by delivery zone: per local day and per month, keyed by how the order was
fulfilled (delivery or pickup) and the zone that set its fee ('' when none did).

Revision ID: t0011
Revises: t0010
Create Date: 2026-12-05

Kept by `services/kpis/rollups.py` like the places rollups. Orders placed with a zone before this
revision (t0009 landed the same day, so only test data) count once the rollups are rebuilt
(`rollups.rebuild`, which fills these tables too): the day of an order is the tenant's local day,
and a migration does not know the tenant's time zone.
"""

import sqlalchemy as sa
from alembic import op

revision = "t0011"
down_revision = "t0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for grain in ("daily", "monthly"):
        op.create_table(
            f"kpi_{grain}_zones",
            sa.Column("day", sa.Date, primary_key=True),
            sa.Column("fulfilment", sa.String(16), primary_key=True),
            sa.Column("zone", sa.String(80), primary_key=True),  # '' when no zone set the fee
            sa.Column("orders", sa.Integer, nullable=False, server_default="0"),
            sa.Column("revenue", sa.Numeric(14, 2), nullable=False, server_default="0"),
        )


def downgrade() -> None:
    for grain in ("monthly", "daily"):
        op.drop_table(f"kpi_{grain}_zones")
