"""The inbox worker finds the oldest unprocessed message without reading the processed ones.

Revision ID: t0006
Revises: t0005
Create Date: 2026-11-28

`claim_pending` asks for the lowest pending id. With only the primary key to go by in id order,
PostgreSQL walked every processed row from the oldest one up and filtered them out; the inbox
keeps every message forever (deduplication never expires), so each claim got slower with the
tenant's age: a 20,000-message backlog (RELIABILITY R1) spent ~4 ms per claim just skipping
rows. A partial index on the pending ids holds only the backlog.
"""

import sqlalchemy as sa
from alembic import op

revision = "t0006"
down_revision = "t0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inbox_unprocessed", "inbox", ["id"], postgresql_where=sa.text("processed_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_inbox_unprocessed", table_name="inbox")
