"""WhatsApp numbers (who receives for which tenant, with sealed credentials) and unroutable events.

Revision ID: c0005
Revises: c0004
Create Date: 2026-11-28

Credentials are sealed with `db/secretbox.py` (never stored in clear). `unroutable_events` keeps
webhook bodies for numbers nobody owns, for an operator to look at; nothing processes them.
"""

import sqlalchemy as sa
from alembic import op

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None

PROVIDERS = ("meta", "360dialog", "twilio", "sandbox")
STATES = ("active", "paused")


def upgrade() -> None:
    op.create_table(
        "whatsapp_numbers",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.String(13),
            sa.ForeignKey("tenants.id", name="fk_whatsapp_numbers_tenant_id_tenants"),
            nullable=False,
        ),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("e164", sa.String(16), nullable=False),
        sa.Column("phone_number_id", sa.String(64)),
        sa.Column("waba_id", sa.String(64)),
        sa.Column("account_sid", sa.String(64)),
        sa.Column("access_token_sealed", sa.Text),
        sa.Column("app_secret_sealed", sa.Text),
        sa.Column("api_key_sealed", sa.Text),
        sa.Column("auth_token_sealed", sa.Text),
        sa.Column("verify_token", sa.String(128)),
        sa.Column("webhook_secret_sealed", sa.Text),
        sa.Column("state", sa.String(16), nullable=False, server_default="active"),
        sa.Column("pause_reason", sa.Text),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint(f"provider IN {PROVIDERS}", name="ck_whatsapp_numbers_provider"),
        sa.CheckConstraint(f"state IN {STATES}", name="ck_whatsapp_numbers_state"),
        sa.CheckConstraint(r"e164 ~ '^\+[1-9][0-9]{1,14}$'", name="ck_whatsapp_numbers_e164"),
        sa.UniqueConstraint("e164", name="uq_whatsapp_numbers_e164"),
    )
    op.create_index("ix_whatsapp_numbers_tenant_id", "whatsapp_numbers", ["tenant_id"])
    # Meta routes every webhook of an app on phone_number_id: it must name one number only.
    op.create_index(
        "uq_whatsapp_numbers_phone_number_id",
        "whatsapp_numbers",
        ["phone_number_id"],
        unique=True,
        postgresql_where=sa.text("phone_number_id IS NOT NULL"),
    )
    op.create_table(
        "unroutable_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("routing_key", sa.String(128)),
        sa.Column("raw_body", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_unroutable_events_received_at", "unroutable_events", ["received_at"])


def downgrade() -> None:
    op.drop_table("unroutable_events")
    op.drop_table("whatsapp_numbers")
