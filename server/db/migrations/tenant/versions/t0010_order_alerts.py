"""The business is told of each new order: one row per order and alert recipient.

Revision ID: t0010
Revises: t0009
Create Date: 2026-12-05

`(order_id, recipient)` is unique, so a recipient is told of an order once, whatever retries.
A WhatsApp alert goes through the outbox (`outbox_id`: its state, retries and errors are the
outbox's); an e-mail alert is sent from this row by the alert mailer, with the outbox's rule:
marked `sending` and committed before the SMTP server is called, never resent after a crash.
"""

import sqlalchemy as sa
from alembic import op

revision = "t0010"
down_revision = "t0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_alerts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "order_id",
            sa.BigInteger,
            sa.ForeignKey("orders.id", name="fk_order_alerts_order_id_orders", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        # No foreign key: the outbox is truncated and pruned on its own; a row pruned away leaves
        # the alert "sent" (handed to the outbox), which it was.
        sa.Column("outbox_id", sa.BigInteger, nullable=True),
        sa.Column("state", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("channel IN ('whatsapp', 'email')", name="ck_order_alerts_channel"),
        sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", name="ck_order_alerts_state"),
        sa.UniqueConstraint("order_id", "recipient", name="uq_order_alerts_order_id"),
    )
    op.create_index(
        "ix_order_alerts_due",
        "order_alerts",
        ["next_attempt_at"],
        postgresql_where=sa.text("channel = 'email' AND state IN ('queued', 'sending')"),
    )
    op.create_index("ix_order_alerts_created_at", "order_alerts", ["created_at"])


def downgrade() -> None:
    op.drop_table("order_alerts")
