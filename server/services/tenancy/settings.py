"""A tenant's settings: the bot's language, the flat delivery fee, its own wording of any bot text,
and the business rules (hours, pause, delivery zones, payment, alerts, FAQ: `rules.py` checks them).

They live in the registry (`tenants.locale` and the `settings` JSON), so the bot reads them with
the tenant's name and currency in one query (`context_of`, cached by `contexts.TenantContexts`).
A change replaces each key it names as a whole. Text overrides are checked when saved: an unknown
key, a template that does not parse, or one naming a field the built-in text does not have is
refused with the reason, so a manager learns of a typo at once instead of the bot quietly falling
back to its own text.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from string import Formatter

import msgspec

from comandia.server.chat.model import TenantContext
from comandia.server.chat.texts import BUILT_IN, plain_fields
from comandia.server.db.control_models import Tenant
from comandia.server.db.sessions import Databases
from comandia.server.services import audit
from comandia.server.services.tenancy.rules import check_together, checked_rule, stored_form, stored_rules
from comandia.server.services.tenancy.tenants import live_tenant
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import parse_amount
from comandia.shared.i18n import N_
from comandia.shared.schemas.tenants import LOCALES, MAX_TEXT, TenantSettings, TenantSettingsChange

MAX_FEE = Decimal("100000")
CENTS = Decimal("0.01")


def context_of(tenant: Tenant) -> TenantContext:
    """The bot's view of a registry row."""
    settings = tenant.settings if isinstance(tenant.settings, dict) else {}
    texts = settings.get("texts")
    return TenantContext(
        tenant_id=tenant.id,
        business_name=tenant.name,
        locale="en" if tenant.locale == "en" else "es",
        currency=tenant.currency,
        timezone=tenant.timezone,
        text_overrides={str(k): v for k, v in (texts.items() if isinstance(texts, dict) else ()) if isinstance(v, str)},
        delivery_fee=_stored_fee(settings.get("delivery_fee")),
        rules=stored_rules(settings),
        country_locale=tenant.country_locale,
    )


class TenantSettingsService:
    """Reads and changes tenants' bot settings.

    Args:
        databases: the appliance's databases.
        changed: told the tenant id after a change commits (drops cached bot contexts).
    """

    def __init__(self, databases: Databases, changed: Callable[[str], None] = lambda tenant_id: None) -> None:
        self._db = databases
        self._changed = changed

    def get(self, tenant_id: str) -> TenantSettings:
        """Raises: NotFound."""
        with self._db.control_session() as session:
            return _settings(live_tenant(session, tenant_id))

    def update(self, tenant_id: str, actor: str, change: TenantSettingsChange) -> TenantSettings:
        """Change what `change` names: each key is replaced whole; in `texts` a None or empty value
        goes back to the built-in text.

        Raises:
            NotFound: no such tenant.
            ValidationFailed: a bad value, named by its field (``delivery_zones[0].fee``,
                ``texts.<key>``, ``opening_hours.mon[1]``).
        """
        if change.locale is not None and change.locale not in LOCALES:
            raise ValidationFailed("unknown language", {"locale": N_("must be es or en")})
        fee = _fee(str(change.delivery_fee)) if change.delivery_fee is not None else None
        checked = {key: check_text(key, value) for key, value in (change.texts or {}).items()}
        rules = {key: checked_rule(key, value) for key, value in change.rules().items()}
        with self._db.control_session() as session:
            tenant = live_tenant(session, tenant_id, lock=True)
            settings = dict(tenant.settings) if isinstance(tenant.settings, dict) else {}
            check_together(msgspec.structs.replace(stored_rules(settings), **rules), named=rules)
            settings.update({key: stored_form(value) for key, value in rules.items()})
            if fee is not None:
                settings["delivery_fee"] = str(fee)
            if checked:
                own = dict(settings.get("texts") or {})
                for key, value in checked.items():
                    if value is None:
                        own.pop(key, None)
                    else:
                        own[key] = value
                settings["texts"] = own
            tenant.settings = settings
            if change.locale is not None:
                tenant.locale = change.locale
            audit.record(
                session,
                actor,
                "tenant.settings",
                tenant_id,
                locale=change.locale,
                delivery_fee=None if fee is None else str(fee),
                texts=sorted(checked),
                rules=sorted(rules),
            )
            session.commit()
            result = _settings(tenant)
        self._changed(tenant_id)
        return result


def check_text(key: str, value: str | None) -> str | None:
    """The override to store for `key` (None: back to the built-in text). Raises: ValidationFailed."""
    field = f"texts.{key}"
    if key not in BUILT_IN:
        raise ValidationFailed("the bot has no text '{key}'", {field: N_("unknown text")}, key=key)
    if value is None or not value.strip():
        return None
    if len(value) > MAX_TEXT:
        raise ValidationFailed(
            "text '{key}' is too long", {field: N_("at most {count} characters")}, key=key, count=MAX_TEXT
        )
    allowed = _fields(BUILT_IN[key])
    try:
        used = plain_fields(value)
    except ValueError:
        raise ValidationFailed(
            "text '{key}' is not a valid template",
            {field: N_("only plain {{field}} placeholders, with balanced {{ and }}")},
            key=key,
        ) from None
    unknown = sorted(used - allowed)
    if unknown:
        fields = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
        raise ValidationFailed(
            "text '{key}' names unknown fields {unknown}",
            {field: N_("may use only these fields: {allowed}")},
            key=key,
            unknown=str(unknown),
            allowed=fields,
        )
    return value


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def _fee(value: str) -> Decimal:
    fee = parse_amount(value, "delivery_fee").quantize(CENTS)
    if fee > MAX_FEE:
        raise ValidationFailed("the delivery fee is too large", {"delivery_fee": N_("at most {limit}")}, limit=MAX_FEE)
    return fee


def _stored_fee(value: object) -> Decimal:
    try:
        return parse_amount(str(value)).quantize(CENTS) if value is not None else Decimal("0.00")
    except ValidationFailed:
        return Decimal("0.00")  # a hand-edited registry must not stop the bot


def _settings(tenant: Tenant) -> TenantSettings:
    context = context_of(tenant)
    return TenantSettings(
        locale=context.locale,
        delivery_fee=context.delivery_fee,
        texts=dict(context.text_overrides),
        **msgspec.structs.asdict(context.rules),
    )
