"""Products get other names (aliases) the bot matches; order lines get the customer's note.

Revision ID: t0007
Revises: t0006
Create Date: 2026-12-05

`products.aliases` holds the names customers use besides the product's own ("coca", "coke",
"refresco de cola"): the catalog service cleans them and refuses one that is another product's
name or alias, since the bot could not tell the two apart (services/catalog/aliases.py).
`order_items.note` is what the customer asked of one line ("sin cebolla", "bien dorada").
Both are bounded here too, so SQL that bypasses the services cannot store a thousand aliases.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "t0007"
down_revision = "t0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "products",
        sa.Column("aliases", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")),
    )
    op.create_check_constraint("ck_products_aliases_bounded", "products", "cardinality(aliases) <= 20")
    op.add_column("order_items", sa.Column("note", sa.Text, nullable=True))
    op.create_check_constraint(
        "ck_order_items_note_bounded", "order_items", "note IS NULL OR char_length(note) BETWEEN 1 AND 200"
    )


def downgrade() -> None:
    op.drop_constraint("ck_order_items_note_bounded", "order_items", type_="check")
    op.drop_column("order_items", "note")
    op.drop_constraint("ck_products_aliases_bounded", "products", type_="check")
    op.drop_column("products", "aliases")
