"""Tenants, their bot settings and database servers on the wire."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from comandia.shared.schemas.wire import Request, Wire, documented

TENANT_ID_PATTERN = "^t[0-9a-hjkmnp-tv-z]{12}$"
LOCALES = ("es", "en")
Locale = Literal["es", "en"]
MAX_TEXT = 1000
"""The longest a tenant's own wording of one bot text may be."""


class TenantInfo(Wire, frozen=True):
    id: Annotated[str, documented(pattern=TENANT_ID_PATTERN)]
    name: str
    state: Annotated[str, documented(enum=["active", "inactive", "deleted"])]
    timezone: str
    currency: str
    locale: str
    """The bot's language (es or en)."""
    server: str
    database: str
    schema_revision: str | None
    created_at: dt.datetime
    deactivated_at: dt.datetime | None = None
    country_locale: str = "es_MX"
    """The country as a full locale (es_MX, es_AR, es_CO, es_CL, es_ES, en_US, ...): how the tenant's
    money, numbers and dates are written."""


class TenantList(Wire, frozen=True):
    items: tuple[TenantInfo, ...]


class NewTenantRequest(Request, frozen=True):
    """A tenant to provision. `locale` is its country as a full locale (``es_AR``: then the
    currency, time zone and bot language default to Argentina's) or only the bot's language
    (``es``/``en``: the country then follows the time zone). Left out, everything is Mexico's, and
    the server is the one with the fewest tenants."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    currency: Annotated[str, msgspec.Meta(max_length=3)] | None = None
    locale: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    server: Annotated[str, msgspec.Meta(max_length=63)] | None = None
    country_locale: Annotated[str, msgspec.Meta(max_length=16)] | None = None


class ServerInfo(Wire, frozen=True):
    id: int
    name: str
    tenants: int
    accepts_tenants: bool
    reachable: bool | None = None
    version: int | None = None


class TenantSettings(Wire, frozen=True):
    """What a tenant's managers tune of their bot: its language, the delivery fee added to every
    WhatsApp order, and their own wording of any bot text (`texts`: key -> template)."""

    locale: Annotated[str, documented(enum=list(LOCALES))]
    delivery_fee: Decimal
    texts: dict[str, str]


class TenantSettingsChange(Request, frozen=True, omit_defaults=True):
    """Changes to the bot settings, each optional; in `texts` a null goes back to the built-in text.

    The fee is a string such as ``"35.50"`` or a whole number, read by the settings service.
    """

    locale: Locale | None = None
    delivery_fee: Annotated[str, msgspec.Meta(max_length=20)] | int | None = None
    texts: Annotated[
        dict[str, Annotated[str, msgspec.Meta(max_length=MAX_TEXT)] | None], msgspec.Meta(max_length=200)
    ] | None = None
