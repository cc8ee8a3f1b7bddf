"""Per-tenant daily totals for the superadmin dashboard: aggregates only, no personal data.

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-28

Refreshed from each tenant's rollups after an order change commits (`services/kpis/admin_reports.py`),
so the dashboard reads one table instead of opening every tenant database.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None


def _totals() -> list[sa.Column[Any]]:
    return [
        sa.Column("orders", sa.Integer, nullable=False, server_default="0"),  # sales: not cancelled
        sa.Column("cancelled", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revenue", sa.Numeric(14, 2), nullable=False, server_default="0"),
        sa.Column("customers", sa.Integer, nullable=False, server_default="0"),  # distinct buyers per day, added
        sa.Column("messages_in", sa.Integer, nullable=False, server_default="0"),
        sa.Column("messages_out", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed_sends", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    ]


def _tenant(table: str) -> sa.Column[Any]:
    return sa.Column(
        "tenant_id",
        sa.String(13),
        sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"),
        primary_key=True,
    )


def upgrade() -> None:
    # `tenant_monthly` holds the same totals per month (day = its first day): a long range reads
    # whole months there and only its ragged ends from `tenant_daily`.
    for table in ("tenant_daily", "tenant_monthly"):
        op.create_table(table, _tenant(table), sa.Column("day", sa.Date, primary_key=True), *_totals())
        op.create_index(f"ix_{table}_day", table, ["day"])
    op.create_table(
        "tenant_sizes",
        _tenant("tenant_sizes"),
        sa.Column("db_bytes", sa.BigInteger, nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )


def downgrade() -> None:
    op.drop_table("tenant_sizes")
    op.drop_table("tenant_monthly")
    op.drop_table("tenant_daily")
