"""Dates, numbers and money as the tenant's country writes them (its locale, time zone, currency).

Money and numbers follow the tenant's country whatever the console's language (a Mexican tenant
reads `$50,175.00` in Spanish and in English); dates follow the country too, except that an English
console shows a Spanish-speaking tenant's dates the American way. Everything goes through the one
formatter in `comandia.shared.domain` (Babel).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.locales import locale_for_currency
from comandia.shared.domain.money import format_money
from comandia.shared.domain.times import format_day, format_instant


@dataclass(frozen=True)
class TenantFormat:
    """How to show values of one tenant to a user reading `language` (``es`` or ``en``).

    `country_locale` is the tenant's (`TenantInfo.country_locale`); pages that show no one tenant
    (the audit log, the all-tenants dashboard) keep the default, Mexico's.
    """

    timezone: str = "UTC"
    currency: str = "USD"
    language: str = "es"
    country_locale: str = "es_MX"

    @property
    def date_locale(self) -> str:
        """The locale dates are written in: the tenant's, unless the reader's language differs."""
        if self.language == "en":
            return self.country_locale if self.country_locale.startswith("en") else "en_US"
        return self.country_locale if self.country_locale.startswith("es") else "es_MX"

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        """`amount` as the tenant's country writes it; in another `currency` (a page listing many
        tenants), as that currency's country does: ``S/ 43,571.00``, not ``PEN43,571.00``."""
        other = currency is not None and currency != self.currency
        locale = locale_for_currency(currency, self.country_locale) if other and currency else self.country_locale
        try:
            return format_money(amount, currency or self.currency, locale)
        except ValidationFailed:  # a currency the formatter does not know: still show the number
            return f"{currency or self.currency} {self.number(amount, 2)}"

    def money_among(self, amount: Decimal, currency: str) -> str:
        """`money` on a page that lists several tenants' currencies side by side (the all-tenants
        dashboard): a bare ``$`` is written by a dozen countries, so there the ISO code follows it
        (``$43.571 COP`` beside ``$43,571.00 MXN``); a symbol of one currency (``S/``, ``€``) is enough."""
        text = self.money(amount, currency)
        if "$" in text and not any(ch.isalpha() for ch in text):
            return f"{text}\u00a0{currency}"
        return text

    def prepare(self) -> None:
        """Load the locale data these formats need, in the calling thread.

        Babel reads and merges a country's CLDR data on first use (about 13 ms); a page's
        background task calls this so the first card or row on the GUI thread does not pay it.
        Once per format: a page polling every second asks again each time.
        """
        _load_locale_data(self)

    def number(self, value: int | Decimal | float, decimals: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return str(format_decimal(value, format=pattern, locale=self.country_locale, decimal_quantization=True))

    def instant(self, value: dt.datetime | None) -> str:
        """A UTC instant as the tenant's local date and time."""
        if value is None:
            return ""
        return format_instant(value, self.timezone, self.date_locale)

    def day(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        return format_day(value, self.date_locale)


@functools.cache
def _load_locale_data(fmt: TenantFormat) -> None:
    """`TenantFormat.prepare`'s work, done once per format (what it loads stays in Babel's caches)."""
    fmt.money(Decimal(1))
    fmt.number(1)
    fmt.instant(dt.datetime.now(dt.UTC))
