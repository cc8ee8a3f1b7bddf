"""Indexes that let the superadmin summary count one day's WhatsApp messages.

Revision ID: t0016
Revises: t0015
Create Date: 2026-12-06

The summary's "messages in/out" and "failed sends" are counted from the inbox (by `received_at`)
and the outbox (by `created_at`) for the local days being refreshed (services/kpis/admin_reports.py).
Without these indexes each refresh would read the whole inbox and outbox, which grow with every
message; with them it reads one day's entries.
"""

from alembic import op

revision = "t0016"
down_revision = "t0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inbox_received_at", "inbox", ["received_at"])
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.drop_index("ix_inbox_received_at", table_name="inbox")
