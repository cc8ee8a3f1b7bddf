"""A business's rules on the wire: opening hours, pause, delivery and pickup, zones, minimum order,
payment methods, new-order alerts, FAQ, cancel and hand-off limits.

`BusinessRules` holds every rule key once, with its type, limits and default; the settings answer
(`tenants.TenantSettings`) carries them, a `PATCH` (`tenants.TenantSettingsChange`) names the ones it
replaces, and the bot reads them from its `TenantContext`. The decoder checks types and limits here;
rules that span values (hours that overlap, a radius zone with no business location, a transfer
without its bank details) are the settings service's, which names the key at fault.
Money is a string such as ``"35.00"`` (an integer is taken too; never a float).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from comandia.shared.schemas.wire import Amount, Wire

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Monday first, as `datetime.date.weekday()` numbers them."""

TimeOfDay = Annotated[
    str, msgspec.Meta(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", description='"HH:MM", 00:00 to 24:00')
]
TimeRange = tuple[TimeOfDay, TimeOfDay]
"""Open from the first time to the second; a second time earlier than the first runs past midnight."""
DayRanges = Annotated[tuple[TimeRange, ...], msgspec.Meta(max_length=6)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=1000)]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=10080)]
"""A span in whole minutes, at most a week."""

AfterHours = Literal["take_for_later", "menu_only"]
Fulfilment = Literal["delivery", "pickup", "both"]
PaymentKind = Literal["cash", "card_on_delivery", "transfer", "link"]
PAYMENT_KINDS: tuple[PaymentKind, ...] = ("cash", "card_on_delivery", "transfer", "link")


class OpeningHours(Wire, frozen=True, forbid_unknown_fields=True):
    """Ranges per weekday in the tenant's time zone; a day with none is closed."""

    mon: DayRanges = ()
    tue: DayRanges = ()
    wed: DayRanges = ()
    thu: DayRanges = ()
    fri: DayRanges = ()
    sat: DayRanges = ()
    sun: DayRanges = ()

    def day(self, weekday: int) -> tuple[TimeRange, ...]:
        """The ranges of `weekday` (0 = Monday)."""
        ranges: tuple[TimeRange, ...] = getattr(self, WEEKDAYS[weekday])
        return ranges


class Location(Wire, frozen=True, forbid_unknown_fields=True):
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class DeliveryZone(Wire, frozen=True, forbid_unknown_fields=True):
    """Where the business delivers: by the names of cities or neighbourhoods, or within a radius of
    the business location; each zone with its fee, minimum order and (optional) estimated time."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    fee: Amount
    cities: Annotated[
        tuple[Annotated[str, msgspec.Meta(min_length=1, max_length=120)], ...], msgspec.Meta(max_length=200)
    ] = ()
    radius_km: Annotated[float, msgspec.Meta(gt=0, le=200)] | None = None
    minimum_order: Amount = msgspec.field(default_factory=lambda: Amount(0))
    eta_minutes: Annotated[int, msgspec.Meta(ge=1, le=1440)] | None = None


class PaymentMethod(Wire, frozen=True, forbid_unknown_fields=True):
    """A way the business takes payment; `details` are the bank data of a transfer or the link."""

    kind: PaymentKind
    details: LongText = ""


class FaqEntry(Wire, frozen=True, forbid_unknown_fields=True):
    question: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


Recipient = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
"""A WhatsApp number (E.164 or as people write it) or an e-mail address."""


ClosedDays = Annotated[tuple[dt.date, ...], msgspec.Meta(max_length=400)]
Address = Annotated[str, msgspec.Meta(max_length=300)]
DeliveryZones = Annotated[tuple[DeliveryZone, ...], msgspec.Meta(max_length=50)]
EtaMinutes = Annotated[int, msgspec.Meta(ge=1, le=1440)]
PaymentMethods = Annotated[tuple[PaymentMethod, ...], msgspec.Meta(max_length=4)]
Recipients = Annotated[tuple[Recipient, ...], msgspec.Meta(max_length=10)]
Faq = Annotated[tuple[FaqEntry, ...], msgspec.Meta(max_length=50)]
CancelMinutes = Annotated[int, msgspec.Meta(ge=0, le=10080)]
MediaRetentionDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]
TemplateName = Annotated[
    str,
    msgspec.Meta(
        max_length=512, pattern=r"^[A-Za-z0-9_]*$", description="a template name or Twilio Content SID; empty: none"
    ),
]
TemplateLanguage = Annotated[
    str,
    msgspec.Meta(
        max_length=16, pattern=r"^([a-z]{2,3}(_[A-Z]{2})?)?$", description="es, es_MX...; empty: the tenant's language"
    ),
]


class BusinessRules(Wire, frozen=True, kw_only=True):
    """Every rule key with its default: a tenant that set nothing takes orders at any hour, for
    delivery anywhere, for any amount, with no word about payment (as before these rules)."""

    opening_hours: OpeningHours | None = None
    """None: always open."""
    closed_days: ClosedDays = ()
    orders_paused: bool = False
    paused_message: LongText = ""
    """Said while orders are paused; empty: the bot's own text."""
    after_hours: AfterHours = "take_for_later"
    fulfilment: Fulfilment = "delivery"
    pickup_address: Address = ""
    business_location: Location | None = None
    delivery_zones: DeliveryZones = ()
    """None: delivery anywhere at the flat `delivery_fee`."""
    minimum_order: Amount = msgspec.field(default_factory=lambda: Amount(0))
    eta_minutes: EtaMinutes | None = None
    """The estimated time told in the confirmation when no zone says its own."""
    payment_methods: PaymentMethods = ()
    """None listed: the bot does not ask how the customer pays."""
    order_alerts: Recipients = ()
    faq: Faq = ()
    customer_cancel_minutes: CancelMinutes | None = None
    """How long after placing it a customer may cancel a still-new order by chat; None: no limit."""
    handoff_idle_minutes: Minutes = 30
    """A manager's take-over of a chat ends after this many minutes without a manager message."""
    handoff_template: TemplateName = ""
    """The approved template a person's reply goes out as after the customer's 24-hour window
    (Meta/360dialog: its name; Twilio: its Content SID), the reply being its one body variable
    {{1}}. Empty: such a reply is refused (409)."""
    handoff_template_language: TemplateLanguage = ""
    """The template's language code; empty: the tenant's language (es or en)."""
    media_retention_days: MediaRetentionDays = 90
    """Pictures, voice notes and documents customers sent are deleted after this many days."""


RULE_KEYS: tuple[str, ...] = BusinessRules.__struct_fields__
"""The rule keys, in the order the API, the CLI and the console list them."""


AlertState = Literal["queued", "sending", "sent", "failed"]
AlertChannel = Literal["whatsapp", "email"]


class OrderAlertInfo(Wire, frozen=True, kw_only=True):
    """One new-order alert to one of the tenant's `order_alerts` recipients, and how it went.

    `state` of a WhatsApp alert is its outbox message's (queued until the provider took it,
    then sent, or failed with `last_error`); of an e-mail alert, the SMTP server's answer.
    """

    order_id: int
    order_number: int
    recipient: str
    channel: AlertChannel
    state: AlertState
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


class OrderAlertList(Wire, frozen=True):
    """The latest alerts, newest first."""

    items: tuple[OrderAlertInfo, ...]
