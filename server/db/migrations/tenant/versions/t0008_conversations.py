"""Conversations a person can read and answer, and the changes feed the console polls.

Revision ID: t0008
Revises: t0007
Create Date: 2026-12-05

`conversations` is one customer on one of the tenant's numbers, as the console lists it: an
opaque `public_id` (phones stay out of URLs and access logs), who the customer is, whether the bot,
a waiting customer or a person has the chat, and the last message and unread count kept beside
it, so the list of 100,000 chats is one index scan (`ix_conversations_recent`) and no join over
the inbox. Existing chats are filled in from the inbox.

`outbox.author` names the manager who wrote a message by hand (NULL: the bot or a notice).

`changes` is an append-only feed (new orders, status changes, chats waiting for a person) read by
cursor: writers take a transaction-scoped advisory lock before appending, so ids become visible in
id order and a reader never skips a row committed late (see `services/messaging/changes.py`).
"""

import sqlalchemy as sa
from alembic import op

revision = "t0008"
down_revision = "t0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("public_id", sa.String(24), nullable=False),
        sa.Column("number_id", sa.BigInteger, nullable=False),
        sa.Column("customer_key", sa.String(64), nullable=False),
        sa.Column("customer_phone", sa.String(16)),
        sa.Column("customer_name", sa.String(120)),
        sa.Column("state", sa.String(16), nullable=False, server_default="bot"),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("handoff_reason", sa.String(32)),
        sa.Column("agent", sa.String(120)),
        sa.Column("agent_active_at", sa.DateTime(timezone=True)),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("last_message_text", sa.String(200), nullable=False, server_default=""),
        sa.Column("last_direction", sa.String(3), nullable=False, server_default="in"),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True)),
        sa.Column("unread", sa.Integer, nullable=False, server_default="0"),
        sa.Column("misunderstood", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.UniqueConstraint("public_id", name="uq_conversations_public_id"),
        sa.UniqueConstraint("number_id", "customer_key", name="uq_conversations_number_id"),
        sa.CheckConstraint("state IN ('bot', 'waiting', 'human')", name="ck_conversations_state"),
        sa.CheckConstraint("last_direction IN ('in', 'out')", name="ck_conversations_last_direction"),
        sa.CheckConstraint("unread >= 0", name="ck_conversations_unread_not_negative"),
    )
    op.create_index("ix_conversations_recent", "conversations", [sa.text("last_message_at DESC"), sa.text("id DESC")])
    op.add_column("outbox", sa.Column("author", sa.String(120)))
    op.create_table(
        "changes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("detail", sa.String(32), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )
    op.execute("""
        INSERT INTO conversations (public_id, number_id, customer_key, customer_phone, customer_name,
                                   last_message_at, last_inbound_at, last_message_text)
        SELECT substr(md5(random()::text || clock_timestamp()::text || i.customer_key), 1, 16),
               i.number_id, i.customer_key,
               CASE WHEN i.customer_key ~ '^[1-9][0-9]{1,14}$' THEN '+' || i.customer_key END,
               left(i.payload #>> '{customer,name}', 120), i.received_at, i.received_at,
               left(coalesce(i.payload #>> '{inbound,text}', ''), 200)
        FROM (SELECT DISTINCT ON (number_id, customer_key) number_id, customer_key, received_at, payload
              FROM inbox ORDER BY number_id, customer_key, id DESC) AS i
    """)


def downgrade() -> None:
    op.drop_table("changes")
    op.drop_column("outbox", "author")
    op.drop_index("ix_conversations_recent", table_name="conversations")
    op.drop_table("conversations")
