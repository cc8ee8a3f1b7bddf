"""WhatsApp messaging: the inbox of raw inbound events, delivery statuses, and the outbox.

Revision ID: t0005
Revises: t0004
Create Date: 2026-11-28

Duplicates are refused by the database, forever (no expiring cache): `inbox.provider_message_id`
and `message_statuses (wamid, status)` are unique, and the webhook inserts with ON CONFLICT DO
NOTHING. `outbox (in_reply_to, part)` is unique so a reprocessed inbound can never queue a second
reply set; `outbox (number_id, customer_wa_id, seq)` orders what one customer is sent.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "t0005"
down_revision = "t0004"
branch_labels = None
depends_on = None

OUTBOX_STATES = ("queued", "sending", "sent", "failed")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("number_id", sa.BigInteger, nullable=False),
        sa.Column("provider_message_id", sa.String(128), nullable=False),
        sa.Column("customer_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("provider_message_id", name="uq_inbox_provider_message_id"),
    )
    # The worker takes the oldest pending message of a customer whose earlier ones are done.
    op.create_index(
        "ix_inbox_pending",
        "inbox",
        ["number_id", "customer_key", "id"],
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    # The status notifier finds the number a customer last wrote to.
    op.create_index("ix_inbox_customer_key", "inbox", ["customer_key", "id"])
    op.create_table(
        "message_statuses",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("wamid", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error_code", sa.Integer),
        sa.UniqueConstraint("wamid", "status", name="uq_message_statuses_wamid"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("number_id", sa.BigInteger, nullable=False),
        sa.Column("customer_wa_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("part", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("payload", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("state", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("provider_message_id", sa.String(128)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("error_code", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16)),
        sa.Column("in_reply_to", sa.BigInteger, sa.ForeignKey("inbox.id", name="fk_outbox_in_reply_to_inbox")),
        sa.CheckConstraint(f"state IN {OUTBOX_STATES}", name="ck_outbox_state"),
        sa.UniqueConstraint("in_reply_to", "part", name="uq_outbox_in_reply_to"),
        sa.UniqueConstraint("number_id", "customer_wa_id", "seq", name="uq_outbox_number_id"),
    )
    op.create_index(
        "ix_outbox_due", "outbox", ["next_attempt_at"], postgresql_where=sa.text("state IN ('queued', 'sending')")
    )
    op.create_index("ix_outbox_provider_message_id", "outbox", ["provider_message_id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("message_statuses")
    op.drop_table("inbox")
