"""WhatsApp chat sessions: one conversation state per (receiving number, customer).

Revision ID: t0004
Revises: t0003
Create Date: 2026-11-28

`number_id` is the receiving WhatsApp number's id in the control database (as text, since the
tenant database cannot reference control rows); `customer_wa_id` is the customer's wa_id, or
their business-scoped user id when WhatsApp gives no phone. `state` is the flow's JSON
(server/chat/state.py). The conversation service locks the row (`SELECT ... FOR UPDATE`) for
each inbound message, so two messages of one customer are handled one after the other.
`uq_orders_chat_key` makes the bot's idempotency key (``orders.extra->>'chat_key'``) unique.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "t0004"
down_revision = "t0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_sessions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("number_id", sa.Text, nullable=False),
        sa.Column("customer_wa_id", sa.Text, nullable=False),
        sa.Column(
            "customer_id",
            sa.BigInteger,
            sa.ForeignKey("customers.id", ondelete="SET NULL", name="fk_chat_sessions_customer_id_customers"),
            nullable=True,
        ),
        sa.Column("state", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_sessions"),
        sa.UniqueConstraint("number_id", "customer_wa_id", name="uq_chat_sessions_number_id"),
    )
    op.create_index("ix_chat_sessions_customer_id", "chat_sessions", ["customer_id"])
    # The bot's idempotency key: one order per confirmed chat draft, even when two confirmations
    # race or a turn is retried after the order committed (services/messaging/conversations.py).
    op.create_index(
        "uq_orders_chat_key",
        "orders",
        [sa.text("(extra ->> 'chat_key')")],
        unique=True,
        postgresql_where=sa.text("extra ? 'chat_key'"),
    )


def downgrade() -> None:
    op.drop_index("uq_orders_chat_key", table_name="orders")
    op.drop_table("chat_sessions")
