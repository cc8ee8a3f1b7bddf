"""Tenants, their bot settings and database servers on the wire."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal, TypeAlias, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from comandia.shared.domain.tenants import TENANT_NAME_MAX
from comandia.shared.schemas.rules import (
    RULE_KEYS,
    Address,
    AfterHours,
    BusinessRules,
    CancelMinutes,
    ClosedDays,
    DeliveryZones,
    EtaMinutes,
    Faq,
    Fulfilment,
    Location,
    LongText,
    MediaRetentionDays,
    Minutes,
    OpeningHours,
    PaymentMethods,
    Recipients,
    TemplateLanguage,
    TemplateName,
)
from comandia.shared.schemas.wire import Amount, Request, Wire, documented

T = TypeVar("T")
Field: TypeAlias = T | UnsetType  # noqa: UP040 (msgspec reads the alias at run time)
"""A change's field: left out (UNSET) keeps the stored value."""

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

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=TENANT_NAME_MAX)]
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
    pooler_url: str | None = None
    """The PgBouncer its tenants are reached through ("postgresql://host:port"), if any."""


class TenantSettings(BusinessRules, frozen=True, kw_only=True):
    """What a tenant's managers tune of their bot: its language, the flat delivery fee (when there are
    no delivery zones), their own wording of any bot text (`texts`: key -> template), and every
    business rule key (`rules.BusinessRules`: hours, pause, delivery, payment, alerts, FAQ...)."""

    locale: Annotated[str, documented(enum=list(LOCALES))]
    delivery_fee: Decimal
    texts: dict[str, str]


class TenantSettingsChange(Request, frozen=True, kw_only=True, omit_defaults=True):
    """Changes to the settings, each optional; a key named replaces its whole value (a list or an
    object is not merged with the stored one). In `texts` a null goes back to the built-in text.

    The fee is a string such as ``"35.50"`` or a whole number, read by the settings service. The
    rule keys take the types of `rules.BusinessRules` (one definition); a null is allowed where the
    rule itself may be null (`opening_hours`: always open; `business_location`; `eta_minutes`;
    `customer_cancel_minutes`: no limit).
    """

    locale: Locale | None = None
    delivery_fee: Annotated[str, msgspec.Meta(max_length=20)] | int | None = None
    texts: (
        Annotated[dict[str, Annotated[str, msgspec.Meta(max_length=MAX_TEXT)] | None], msgspec.Meta(max_length=200)]
        | None
    ) = None
    opening_hours: Field[OpeningHours | None] = UNSET
    closed_days: Field[ClosedDays] = UNSET
    orders_paused: Field[bool] = UNSET
    paused_message: Field[LongText] = UNSET
    after_hours: Field[AfterHours] = UNSET
    fulfilment: Field[Fulfilment] = UNSET
    pickup_address: Field[Address] = UNSET
    business_location: Field[Location | None] = UNSET
    delivery_zones: Field[DeliveryZones] = UNSET
    minimum_order: Field[Amount] = UNSET
    eta_minutes: Field[EtaMinutes | None] = UNSET
    payment_methods: Field[PaymentMethods] = UNSET
    order_alerts: Field[Recipients] = UNSET
    faq: Field[Faq] = UNSET
    customer_cancel_minutes: Field[CancelMinutes | None] = UNSET
    handoff_idle_minutes: Field[Minutes] = UNSET
    handoff_template: Field[TemplateName] = UNSET
    handoff_template_language: Field[TemplateLanguage] = UNSET
    media_retention_days: Field[MediaRetentionDays] = UNSET

    def rules(self) -> dict[str, object]:
        """The rule keys this change names, with their new values."""
        return {key: getattr(self, key) for key in RULE_KEYS if getattr(self, key) is not UNSET}
