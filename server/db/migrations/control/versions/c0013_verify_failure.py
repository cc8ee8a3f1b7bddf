"""A restore check's failure as data: `backups.verify_failure`.

Revision ID: c0013
Revises: c0012
Create Date: 2026-12-06

`verify_detail` held the failure as an English sentence, which the console and comandia-admin
showed as it was to a Spanish reader. `verify_failure` holds it as a catalog template, its values
and the tables that differ (`shared.schemas.backups.CheckFailure`), so each reader renders it in
their language. Backups checked before keep their sentence in `verify_detail` (and NULL here),
still shown as recorded.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "c0013"
down_revision = "c0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("backups", sa.Column("verify_failure", JSONB))


def downgrade() -> None:
    op.drop_column("backups", "verify_failure")
