"""Tables of the control database: who the tenants are and where they live, never their data.

No table here holds a tenant's customers, orders or messages; `tests/server/db` checks it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from comandia.server.db.types import NAMING_CONVENTION, UtcDateTime
from comandia.shared.domain.tenants import TenantState
from comandia.shared.domain.whatsapp import NumberState, ProviderName

TENANT_STATES = tuple(TenantState)
USER_ROLES = ("superadmin", "manager", "viewer")


class ControlBase(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class DbServer(ControlBase):
    """A PostgreSQL server tenants can be placed on; the URL's role may create databases and roles."""

    __tablename__ = "db_servers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(63), unique=True)
    admin_url_sealed: Mapped[str] = mapped_column(sa.Text)
    accepts_tenants: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # "postgresql://host:port" of a PgBouncer in transaction mode in front of it (migration c0012):
    # its tenants are reached through it. No credentials: tenants log in with their own roles.
    pooler_url: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())


class Tenant(ControlBase):
    """One business. Rows are never deleted, so a tenant ID is never reused."""

    __tablename__ = "tenants"
    __table_args__ = (
        sa.CheckConstraint(f"state IN {TENANT_STATES}", name="state"),
        sa.Index(
            "uq_tenants_live_name",
            sa.text("lower(name)"),
            unique=True,
            postgresql_where=sa.text("state <> 'deleted'"),
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(13), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    state: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")
    timezone: Mapped[str] = mapped_column(sa.String(64))
    currency: Mapped[str] = mapped_column(sa.String(3))
    locale: Mapped[str] = mapped_column(sa.String(8))  # the bot's language: es or en
    # The country as a full locale (es_MX, es_AR, en_US): how money and dates are written.
    country_locale: Mapped[str] = mapped_column(sa.String(16), default="es_MX", server_default="es_MX")
    server_id: Mapped[int] = mapped_column(sa.ForeignKey("db_servers.id"))
    database_name: Mapped[str] = mapped_column(sa.String(63), unique=True)
    role_name: Mapped[str] = mapped_column(sa.String(63), unique=True)
    role_password_sealed: Mapped[str] = mapped_column(sa.Text)
    schema_revision: Mapped[str | None] = mapped_column(sa.String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=sa.text("'{}'::jsonb"))
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class User(ControlBase):
    """A console/API login: a superadmin, or a manager or viewer of exactly one tenant."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(f"role IN {USER_ROLES}", name="role"),
        sa.CheckConstraint(
            "(role = 'superadmin' AND tenant_id IS NULL) OR (role <> 'superadmin' AND tenant_id IS NOT NULL)",
            name="role_scope",
        ),
        sa.Index("uq_users_username", sa.text("lower(username)"), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.String(16))
    tenant_id: Mapped[str | None] = mapped_column(sa.ForeignKey("tenants.id"))
    disabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())
    password_changed_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())


class AuditEntry(ControlBase):
    """Who did what to which tenant, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now(), index=True)
    actor: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    tenant_id: Mapped[str | None] = mapped_column(sa.String(13), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=sa.text("'{}'::jsonb"))


class AuthToken(ControlBase):
    """An API bearer token, known here only by its SHA-256; expiring and revocable."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())
    expires_at: Mapped[UtcDateTime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class LoginFailure(ControlBase):
    """One failed login, under 'user:<lower name>' and again under 'addr:<address>'."""

    __tablename__ = "login_failures"
    __table_args__ = (sa.Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(160))
    at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())


BACKUP_STATES = ("running", "ok", "failed", "pruned")


class Backup(ControlBase):
    """One dump of a tenant database (or of the control database when `tenant_id` is NULL).

    `path` is the backup's folder: the dump file and `manifest.json` live in it. A row is never
    deleted; pruning removes the files and sets `status` to `pruned`.
    """

    __tablename__ = "backups"
    __table_args__ = (sa.CheckConstraint(f"status IN {BACKUP_STATES}", name="status"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(sa.ForeignKey("tenants.id"), index=True)
    path: Mapped[str] = mapped_column(sa.Text)
    started_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now(), index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    encrypted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[str] = mapped_column(sa.String(16), default="running", server_default="running")
    verified_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    verify_result: Mapped[str | None] = mapped_column(sa.String(16))
    verify_detail: Mapped[str | None] = mapped_column(sa.Text)
    # The failure as a catalog template + values + tables (`CheckFailure`), read in any language
    # (migration c0013); NULL for a passed check and for checks made before it.
    verify_failure: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(sa.Text)


NUMBER_PROVIDERS = tuple(ProviderName)
NUMBER_STATES = tuple(NumberState)


class WhatsAppNumber(ControlBase):
    """A WhatsApp sender of one tenant at one provider; credentials sealed with the secret box.

    Webhooks are routed on `phone_number_id` (Meta, 360dialog) or `e164` (Twilio's `To`), so both
    are unique. `pause_reason` says why a number stopped (an operator, or a revoked token).
    """

    __tablename__ = "whatsapp_numbers"
    __table_args__ = (
        sa.CheckConstraint(f"provider IN {NUMBER_PROVIDERS}", name="provider"),
        sa.CheckConstraint(f"state IN {NUMBER_STATES}", name="state"),
        sa.CheckConstraint(r"e164 ~ '^\+[1-9][0-9]{1,14}$'", name="e164"),
        sa.UniqueConstraint("e164", name="uq_whatsapp_numbers_e164"),
        sa.Index(
            "uq_whatsapp_numbers_phone_number_id",
            "phone_number_id",
            unique=True,
            postgresql_where=sa.text("phone_number_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(sa.ForeignKey("tenants.id"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(16))
    e164: Mapped[str] = mapped_column(sa.String(16))
    phone_number_id: Mapped[str | None] = mapped_column(sa.String(64))
    waba_id: Mapped[str | None] = mapped_column(sa.String(64))
    account_sid: Mapped[str | None] = mapped_column(sa.String(64))
    access_token_sealed: Mapped[str | None] = mapped_column(sa.Text)
    app_secret_sealed: Mapped[str | None] = mapped_column(sa.Text)
    api_key_sealed: Mapped[str | None] = mapped_column(sa.Text)
    auth_token_sealed: Mapped[str | None] = mapped_column(sa.Text)
    verify_token: Mapped[str | None] = mapped_column(sa.String(128))
    webhook_secret_sealed: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")
    pause_reason: Mapped[str | None] = mapped_column(sa.Text)
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # An approved template for status notices after the 24-hour window (migration c0006).
    status_template: Mapped[str | None] = mapped_column(sa.String(512))
    template_language: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())


class UnroutableEvent(ControlBase):
    """A webhook for a number no tenant owns: a bounded summary kept for an operator, never processed.

    Such a post cannot be authenticated, so only its first KiB is kept (`body_excerpt`), with
    its size and the address it came from (migration c0008).
    """

    __tablename__ = "unroutable_events"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    received_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now(), index=True)
    provider: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.String(200))
    routing_key: Mapped[str | None] = mapped_column(sa.String(128))
    body_excerpt: Mapped[bytes] = mapped_column(sa.LargeBinary)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    source: Mapped[str | None] = mapped_column(sa.String(64))


class ScheduledRun(ControlBase):
    """One run of a scheduled job (the daily backup) at one slot, claimed by the process that runs it.

    The primary key makes the claim: with several server processes (or hosts) waking at the same
    slot, exactly one inserts the row and runs the job; the others see the conflict and skip it.
    """

    __tablename__ = "scheduled_runs"

    job: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    slot: Mapped[UtcDateTime] = mapped_column(primary_key=True)
    claimed_by: Mapped[str] = mapped_column(sa.String(255))
    claimed_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())


class PendingSummaryRebuild(ControlBase):
    """A tenant whose summary (`tenant_daily`, `tenant_monthly`) an upgrade left behind its data,
    to rebuild once from the tenant's database; the row goes when that is done.

    A migration that makes the summary count something new for past days too adds its tenants
    here (c0014: the message figures); the summary's catch-up works the rows off
    (`KpiService.rebuild_pending_summaries`). Tenants created later are counted from the start
    and never appear.
    """

    __tablename__ = "pending_summary_rebuilds"

    tenant_id: Mapped[str] = mapped_column(sa.ForeignKey("tenants.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())


class IngestJournalRow(ControlBase):
    """One tenant's part of an acknowledged webhook, waiting to be delivered to its database.

    `sealed` is the events as the tenant's inbox will store them, encrypted with a key of that
    tenant's (`SecretBox.derived`); the drain deletes the row once its events are committed in
    the tenant's database, and nothing else reads it (migration c0010, services/messaging/journal.py).
    """

    __tablename__ = "ingest_journal"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(sa.String(13))
    received_at: Mapped[UtcDateTime] = mapped_column(server_default=sa.func.now())
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
