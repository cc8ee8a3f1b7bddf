"""Tenant registry, database servers, users, audit log.

Revision ID: c0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None

_NOW = sa.text("now()")
_EMPTY = sa.text("'{}'::jsonb")


def upgrade() -> None:
    op.create_table(
        "db_servers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(63), nullable=False, unique=True),
        sa.Column("admin_url_sealed", sa.Text, nullable=False),
        sa.Column("accepts_tenants", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
    )
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(13), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="active"),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("server_id", sa.Integer, sa.ForeignKey("db_servers.id"), nullable=False),
        sa.Column("database_name", sa.String(63), nullable=False, unique=True),
        sa.Column("role_name", sa.String(63), nullable=False, unique=True),
        sa.Column("role_password_sealed", sa.Text, nullable=False),
        sa.Column("schema_revision", sa.String(32)),
        sa.Column("settings", JSONB, nullable=False, server_default=_EMPTY),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("deactivated_at", sa.DateTime(timezone=True)),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("state IN ('active', 'inactive', 'deleted')", name="ck_tenants_state"),
        sa.CheckConstraint("id ~ '^t[0-9a-z]{12}$'", name="ck_tenants_id_format"),
    )
    op.create_index(
        "uq_tenants_live_name",
        "tenants",
        [sa.text("lower(name)")],
        unique=True,
        postgresql_where=sa.text("state <> 'deleted'"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("tenant_id", sa.String(13), sa.ForeignKey("tenants.id")),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.CheckConstraint("role IN ('superadmin', 'manager', 'viewer')", name="ck_users_role"),
        sa.CheckConstraint(
            "(role = 'superadmin' AND tenant_id IS NULL) OR (role <> 'superadmin' AND tenant_id IS NOT NULL)",
            name="ck_users_role_scope",
        ),
    )
    op.create_index("uq_users_username", "users", [sa.text("lower(username)")], unique=True)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(13)),
        sa.Column("detail", JSONB, nullable=False, server_default=_EMPTY),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_tenant_id", "audit_log", ["tenant_id"])


def downgrade() -> None:
    for table in ("audit_log", "users", "tenants", "db_servers"):
        op.drop_table(table)
