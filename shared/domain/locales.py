"""A tenant's country as a full locale (``es_MX``, ``es_AR``, ``en_US``): how its money, numbers and
dates are written. Apart from the bot's language (``es``/``en``, `shared.schemas.tenants.LOCALES`),
which a customer can switch per conversation: an English conversation with a Mexican tenant still
reads prices as Mexicans write them.
"""

from __future__ import annotations

from typing import Literal

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_

# Spanish-speaking Latin America, Spain and the United States: each with its currency and the
# time zone a new tenant gets when none is given (the country's most populous).
TENANT_LOCALES: dict[str, tuple[str, str]] = {
    "es_MX": ("MXN", "America/Mexico_City"), "es_AR": ("ARS", "America/Argentina/Buenos_Aires"),
    "es_CO": ("COP", "America/Bogota"), "es_CL": ("CLP", "America/Santiago"),
    "es_ES": ("EUR", "Europe/Madrid"), "en_US": ("USD", "America/New_York"),
    "es_PE": ("PEN", "America/Lima"), "es_UY": ("UYU", "America/Montevideo"),
    "es_BO": ("BOB", "America/La_Paz"), "es_PY": ("PYG", "America/Asuncion"),
    "es_VE": ("VES", "America/Caracas"), "es_GT": ("GTQ", "America/Guatemala"),
    "es_HN": ("HNL", "America/Tegucigalpa"), "es_NI": ("NIO", "America/Managua"),
    "es_CR": ("CRC", "America/Costa_Rica"), "es_PA": ("PAB", "America/Panama"),
    "es_DO": ("DOP", "America/Santo_Domingo"), "es_EC": ("USD", "America/Guayaquil"),
    "es_SV": ("USD", "America/El_Salvador"), "es_US": ("USD", "America/Los_Angeles"),
}  # fmt: skip
DEFAULT_LOCALE = "es_MX"
_SHORT = {"es": "es_MX", "en": "en_US"}  # the bot languages, as the locale they meant before


def tenant_locale(value: str, field: str = "locale") -> str:
    """`value` as one of `TENANT_LOCALES`: ``es-mx``, ``ES_MX`` and ``es_MX`` are the same; a bare
    language means its main country (``es`` -> ``es_MX``, ``en`` -> ``en_US``).

    Raises:
        ValidationFailed: a locale COMANDIA does not serve.
    """
    text = value.strip().replace("-", "_")
    language, _, territory = text.partition("_")
    normal = f"{language.lower()}_{territory.upper()}" if territory else _SHORT.get(language.lower(), text)
    if normal not in TENANT_LOCALES:
        raise ValidationFailed.of_field(
            field, N_("must be a locale such as es_MX, es_AR, es_CO, es_CL, es_ES or en_US")
        )
    return normal


def language_of(locale: str) -> Literal["es", "en"]:
    """The bot language a tenant of `locale` starts with."""
    return "en" if locale.startswith("en") else "es"


def currency_of(locale: str) -> str:
    """The currency of `locale`'s country (``MXN`` for ``es_MX``; the default's for an unknown one)."""
    return TENANT_LOCALES.get(locale, TENANT_LOCALES[DEFAULT_LOCALE])[0]


def locale_for_currency(currency: str, default: str = DEFAULT_LOCALE) -> str:
    """The locale of the first country that pays in `currency` (``PEN`` -> ``es_PE``, ``USD`` ->
    ``en_US``): how a page listing many tenants writes each one's money; `default` for another."""
    return next((locale for locale, (paid, _zone) in TENANT_LOCALES.items() if paid == currency), default)


def zone_of(locale: str) -> str:
    """The time zone a new tenant of `locale` gets when none is given."""
    return TENANT_LOCALES.get(locale, TENANT_LOCALES[DEFAULT_LOCALE])[1]


def locale_for_zone(zone: str) -> str:
    """The locale of the country whose time zone `zone` is (``America/Bogota`` -> ``es_CO``; a US
    zone -> ``en_US``); `DEFAULT_LOCALE` for a zone of a country COMANDIA has no locale for."""
    from babel.core import get_global  # the CLDR zone -> territory table, read on first use

    canonical = get_global("zone_aliases").get(zone, zone)  # America/Buenos_Aires, US/Eastern, ...
    territory = get_global("zone_territories").get(canonical)
    if territory == "US":
        return "en_US"
    candidate = f"es_{territory}"
    return candidate if candidate in TENANT_LOCALES else DEFAULT_LOCALE


def country_name(locale: str, language: str = "es") -> str:
    """The country of `locale` named in `language` (``es_AR`` -> ``Argentina``; ``Estados Unidos``
    in Spanish, ``United States`` in English), from CLDR."""
    from babel import Locale

    territory = locale.partition("_")[2]
    names = Locale.parse("en" if language == "en" else "es").territories
    return str(names.get(territory, territory))
