"""The template a number sends status notices with once the customer's 24-hour window has closed.

Revision ID: c0006
Revises: c0005
Create Date: 2026-11-28

WhatsApp allows free-form messages only within 24 h of the customer's last message; afterwards
only an approved template (Meta/360dialog: template name; Twilio: a Content SID `HX…`) with a
language code. Without one, a late status notice is not sent and the order is flagged instead.
"""

import sqlalchemy as sa
from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("whatsapp_numbers", sa.Column("status_template", sa.String(512)))
    op.add_column("whatsapp_numbers", sa.Column("template_language", sa.String(16)))


def downgrade() -> None:
    op.drop_column("whatsapp_numbers", "template_language")
    op.drop_column("whatsapp_numbers", "status_template")
