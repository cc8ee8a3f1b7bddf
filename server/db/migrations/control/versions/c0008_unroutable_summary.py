"""Unroutable webhooks keep a bounded summary, never the body (RELIABILITY S14).

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-05

A post to a number nobody owns cannot be authenticated (there is no secret to check it with),
so anyone can send one: 3 MiB bodies stored whole filled the control database at 66 MB/s. Only
the first KiB is kept now (`body_excerpt`), with the body's size and the sending address; the
ingest caps rows per address and per minute and keeps the table a ring (see
`services.messaging.ingest.UnroutableLimits`). Rows already stored are cut the same way.
"""

import sqlalchemy as sa
from alembic import op

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None

EXCERPT_BYTES = 1024


def upgrade() -> None:
    op.add_column("unroutable_events", sa.Column("size_bytes", sa.BigInteger, nullable=False, server_default="0"))
    op.add_column("unroutable_events", sa.Column("source", sa.String(64)))
    op.alter_column("unroutable_events", "raw_body", new_column_name="body_excerpt")
    op.execute(
        f"UPDATE unroutable_events SET size_bytes = octet_length(body_excerpt), "
        f"body_excerpt = substring(body_excerpt FROM 1 FOR {EXCERPT_BYTES})"
    )


def downgrade() -> None:
    op.alter_column("unroutable_events", "body_excerpt", new_column_name="raw_body")
    op.drop_column("unroutable_events", "source")
    op.drop_column("unroutable_events", "size_bytes")
