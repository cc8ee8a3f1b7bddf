"""Messages reported failed because the 24-hour window had closed, still to resend as their template.

Revision ID: t0013
Revises: t0012
Create Date: 2026-12-06

A partial index: only failed rows that still carry a fallback template are in it (a resend takes
the template off the original, see services/messaging/window_resend.py), so the resender's sweep of
every tenant reads a handful of index entries instead of the whole outbox.
"""

import sqlalchemy as sa
from alembic import op

revision = "t0013"
down_revision = "t0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_window_closed",
        "outbox",
        ["number_id", "customer_wa_id", "seq"],
        postgresql_where=sa.text("status = 'failed' AND payload ? 'fallback_template'"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_window_closed", table_name="outbox")
