"""Backups: one row per dump of a tenant (or the control) database, and its restore check.

Revision ID: c0003
Revises: c0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backups",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("tenant_id", sa.String(13), sa.ForeignKey("tenants.id", name="fk_backups_tenant_id_tenants")),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("size_bytes", sa.BigInteger),
        sa.Column("sha256", sa.String(64)),
        sa.Column("encrypted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("verified_at", sa.DateTime(timezone=True)),
        sa.Column("verify_result", sa.String(16)),
        sa.Column("verify_detail", sa.Text),
        sa.Column("error", sa.Text),
        sa.CheckConstraint("status IN ('running', 'ok', 'failed', 'pruned')", name="ck_backups_status"),
        sa.CheckConstraint("verify_result IN ('ok', 'failed')", name="ck_backups_verify_result"),
    )
    op.create_index("ix_backups_tenant_id", "backups", ["tenant_id"])
    op.create_index("ix_backups_started_at", "backups", ["started_at"])


def downgrade() -> None:
    op.drop_table("backups")
