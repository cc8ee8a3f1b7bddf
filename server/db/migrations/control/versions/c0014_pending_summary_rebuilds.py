"""Count the messages of the days summed before the summary counted them: one rebuild per tenant.

Revision ID: c0014
Revises: c0013
Create Date: 2026-12-06

The summary's "messages in/out" and "failed sends" (`tenant_daily`) are counted since tenant
migration t0016, on the days refreshed since: the earlier days of the tenants that existed kept 0
until an operator ran `comandia-admin kpis rebuild`. This lists every tenant that exists now in
`pending_summary_rebuilds`; the summary's catch-up in the server (the jobs process's start, and
each request process's ask) rebuilds each once and removes its row, one process per tenant
(services/kpis/reports.py, `rebuild_pending_summaries`). A migration cannot do the rebuild
itself: the tenants' databases may be on other servers, and one transaction must not wait on
them all.
"""

import sqlalchemy as sa
from alembic import op

revision = "c0014"
down_revision = "c0013"
branch_labels = None
depends_on = None

PENDING = (
    "INSERT INTO pending_summary_rebuilds (tenant_id, reason) "
    "SELECT id, 'message figures' FROM tenants WHERE state <> 'deleted' ON CONFLICT DO NOTHING"
)
"""The tenants whose past days lack their message figures: all that exist at the upgrade."""


def upgrade() -> None:
    op.create_table(
        "pending_summary_rebuilds",
        sa.Column(
            "tenant_id",
            sa.String(13),
            sa.ForeignKey("tenants.id", name="fk_pending_summary_rebuilds_tenant_id_tenants"),
            primary_key=True,
        ),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.execute(PENDING)


def downgrade() -> None:
    op.drop_table("pending_summary_rebuilds")
