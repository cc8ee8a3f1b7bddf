"""Each tenant's country as a full locale (es_MX, es_AR, en_US): how its money and dates are written.

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-05

`tenants.locale` stays the bot's language (es/en). Existing tenants get the locale of the country
their time zone belongs to (America/Bogota -> es_CO, a US zone -> en_US), es_MX when COMANDIA has
no locale for that country.
"""

import sqlalchemy as sa
from alembic import op

from comandia.shared.domain.locales import locale_for_zone

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("country_locale", sa.String(16), nullable=False, server_default="es_MX"))
    connection = op.get_bind()
    zones = connection.execute(sa.text("SELECT DISTINCT timezone FROM tenants")).scalars().all()
    for zone in zones:
        connection.execute(
            sa.text("UPDATE tenants SET country_locale = :locale WHERE timezone = :zone"),
            {"locale": locale_for_zone(zone), "zone": zone},
        )


def downgrade() -> None:
    op.drop_column("tenants", "country_locale")
