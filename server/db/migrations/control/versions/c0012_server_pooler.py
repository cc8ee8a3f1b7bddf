"""A PgBouncer per database server: tenants on a registered server are reached through its pooler.

Revision ID: c0012
Revises: c0010
Create Date: 2026-12-06

`COMANDIA_TENANT_POOLER_URL` covers the server of `COMANDIA_DATABASE_URL` only; a tenant moved
to another server went direct, each process holding its own connections to it.
`db_servers.pooler_url` ("postgresql://host:port", set with `comandia-admin server pooler`) is
used for that server's tenants when set (docs/scaling.md). It carries no credentials: tenants log
in with their own roles, as without a pooler.
"""

import sqlalchemy as sa
from alembic import op

revision = "c0012"
down_revision = "c0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("db_servers", sa.Column("pooler_url", sa.String(255)))


def downgrade() -> None:
    op.drop_column("db_servers", "pooler_url")
