"""Per-tenant daily totals for the superadmin dashboard: aggregates only, no personal data.

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-28

Refreshed from each tenant's rollups after an order change commits (`services/admin_kpis.py`),
so the dashboard reads one table instead of opening every tenant database.
"""

import sqlalchemy as sa
from alembic import op

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_daily",
        sa.Column("tenant_id", sa.String(13), sa.ForeignKey("tenants.id", name="fk_tenant_daily_tenant_id_tenants"),
                  primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("orders", sa.Integer, nullable=False, server_default="0"),  # sales: not cancelled
        sa.Column("cancelled", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revenue", sa.Numeric(14, 2), nullable=False, server_default="0"),
        sa.Column("customers", sa.Integer, nullable=False, server_default="0"),  # distinct buyers that day
        sa.Column("messages_in", sa.Integer, nullable=False, server_default="0"),
        sa.Column("messages_out", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed_sends", sa.Integer, nullable=False, server_default="0"),
        sa.Column("db_bytes", sa.BigInteger),  # the database size when this row was last refreshed
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )
    op.create_index("ix_tenant_daily_day", "tenant_daily", ["day"])


def downgrade() -> None:
    op.drop_table("tenant_daily")
