"""Files customers send: one `media` row per picture, voice note or document of an inbound message.

Revision ID: t0012
Revises: t0011
Create Date: 2026-12-05

The bytes are not in the database: they live in the tenant's folder under COMANDIA_HOME/media
(see services/messaging/media.py for why); the row holds the provider's reference until the media
worker downloads it, then the file's path, type, size and hash, and its state.
"""

import sqlalchemy as sa
from alembic import op

revision = "t0012"
down_revision = "t0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    now = sa.text("now()")
    op.create_table(
        "media",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("public_id", sa.String(24), nullable=False),
        sa.Column(
            "inbox_id",
            sa.BigInteger,
            sa.ForeignKey("inbox.id", ondelete="CASCADE", name="fk_media_inbox_id_inbox"),
            nullable=False,
        ),
        sa.Column("number_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("provider_ref", sa.String(1024), nullable=False),
        sa.Column("declared_mime", sa.String(128)),
        sa.Column("filename", sa.String(255)),
        sa.Column("caption", sa.Text),
        sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("mime", sa.String(128)),
        sa.Column("size", sa.BigInteger),
        sa.Column("sha256", sa.String(64)),
        sa.Column("path", sa.String(255)),
        sa.Column("attempts", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("error", sa.String(500)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("stored_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("public_id", name="uq_media_public_id"),
        sa.CheckConstraint("state IN ('pending', 'stored', 'failed', 'expired')", name="ck_media_state"),
        sa.CheckConstraint("size IS NULL OR size >= 0", name="ck_media_size_not_negative"),
    )
    op.create_index("ix_media_inbox_id", "media", ["inbox_id"])
    op.create_index("ix_media_due", "media", ["next_attempt_at"], postgresql_where=sa.text("state = 'pending'"))
    op.create_index("ix_media_stored", "media", ["created_at"], postgresql_where=sa.text("state = 'stored'"))


def downgrade() -> None:
    op.drop_table("media")
