"""The tenant database knows whose it is.

Revision ID: t0001
Revises:
Create Date: 2026-11-28

A single-row table filled when the database is created from the template: restores, moves and
the isolation tests check that a database belongs to the tenant the registry says.
"""

import sqlalchemy as sa
from alembic import op

revision = "t0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_info",
        sa.Column("singleton", sa.Boolean, primary_key=True, server_default=sa.true()),
        sa.Column("tenant_id", sa.String(13), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("singleton", name="ck_tenant_info_singleton"),
    )


def downgrade() -> None:
    op.drop_table("tenant_info")
