"""Orders placed from the test chat get their own channel, `sandbox`.

Revision ID: t0015
Revises: t0013
Create Date: 2026-12-06

The console's test chat, `comandia-admin chat` and the sandbox API place real orders, but nobody
bought anything: with their own channel they are told apart on the board ("Prueba"), kept out of
the KPIs and no customer is told of their status (shared/domain/orders.py, TEST_CHANNELS). Orders
placed from the test chat before this revision keep the channel `whatsapp`: telling them apart
needs their chat session, and taking them out of the rollups needs the tenant's time zone, which
a tenant migration does not know (a manager cancels them, as the docs said to).
"""

from alembic import op

revision = "t0015"
down_revision = "t0013"
branch_labels = None
depends_on = None

OLD = "('whatsapp', 'api', 'console', 'import')"
NEW = "('whatsapp', 'api', 'console', 'import', 'sandbox')"


def upgrade() -> None:
    op.drop_constraint("ck_orders_channel", "orders", type_="check")
    op.create_check_constraint("ck_orders_channel", "orders", f"channel IN {NEW}")


def downgrade() -> None:
    op.execute("UPDATE orders SET channel = 'whatsapp' WHERE channel = 'sandbox'")
    op.drop_constraint("ck_orders_channel", "orders", type_="check")
    op.create_check_constraint("ck_orders_channel", "orders", f"channel IN {OLD}")
