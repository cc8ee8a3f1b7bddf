"""Dates, numbers and money as the tenant reads them (its time zone, currency and language)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import format_money
from comandia.shared.domain.times import to_local


@dataclass(frozen=True)
class TenantFormat:
    """How to show values of one tenant to a user reading `language` (``es`` or ``en``)."""

    timezone: str = "UTC"
    currency: str = "USD"
    language: str = "es"

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        try:
            return format_money(amount, currency or self.currency, "en" if self.language == "en" else "es")
        except ValidationFailed:  # a currency the formatter does not know: still show the number
            return f"{currency or self.currency} {self.number(amount, 2)}"

    def number(self, value: int | Decimal | float, decimals: int = 0) -> str:
        text = f"{value:,.{decimals}f}"
        if self.language == "en":
            return text
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")

    def instant(self, value: dt.datetime | None) -> str:
        """A UTC instant as the tenant's local date and time."""
        if value is None:
            return ""
        local = to_local(value, self.timezone)
        return local.strftime("%Y-%m-%d %H:%M" if self.language == "en" else "%d/%m/%Y %H:%M")

    def day(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%Y-%m-%d" if self.language == "en" else "%d/%m/%Y")
