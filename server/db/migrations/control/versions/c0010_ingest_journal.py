"""The ingest journal: webhook events stored in the control database, drained into each tenant's inbox.

Revision ID: c0010
Revises: c0009
Create Date: 2026-12-06

One row per tenant of an acknowledged webhook, sealed with a key of that tenant's
(`SecretBox.derived`), deleted once delivered to the tenant's database (docs/architecture.md,
"The webhook's path").
"""

import sqlalchemy as sa
from alembic import op

revision = "c0010"
down_revision = "c0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_journal",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("tenant_id", sa.String(13), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ingest_journal")
