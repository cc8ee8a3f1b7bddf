"""Column conventions shared by the control and tenant models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import mapped_column

UtcDateTime = Annotated[dt.datetime, mapped_column(sa.DateTime(timezone=True))]
Money = Annotated[Decimal, mapped_column(sa.Numeric(12, 2))]
E164 = Annotated[str, mapped_column(sa.String(16))]
Json = Annotated[dict[str, Any], mapped_column(JSONB, default=dict, server_default=sa.text("'{}'::jsonb"))]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
