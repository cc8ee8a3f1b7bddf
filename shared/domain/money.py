"""Money: amounts are `Decimal`, never `float`, rounded to the currency's minor unit.

Amounts entered by people are parsed once with `parse_amount` (which also takes the Spanish decimal
comma), rounded per line with `line_total`, summed with `order_totals` and shown with `format_money`.
Nothing here knows a tenant: the currency code is always an explicit argument.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.numbers import format_currency

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_

# ISO 4217 code -> digits of the minor unit. COP keeps 2 because price lists carry centavos even
# though coins for them no longer circulate; CLP and PYG have no minor unit at all.
CURRENCIES: dict[str, int] = {
    "ARS": 2, "BOB": 2, "BRL": 2, "CLP": 0, "COP": 2, "CRC": 2, "DOP": 2, "EUR": 2, "GTQ": 2,
    "HNL": 2, "MXN": 2, "NIO": 2, "PAB": 2, "PEN": 2, "PYG": 0, "USD": 2, "UYU": 2, "VES": 2,
}  # fmt: skip

MAX_AMOUNT = Decimal(10) ** 10
"""Amounts must stay below this (ten digits before the point fit NUMERIC(12, 2))."""

MAX_DECIMALS = 2


# Digits, optionally a point and more digits. Signs, exponents, symbols, spaces inside and
# thousands separators are all refused: "1.234,50" could be read two ways, so it is read none.
_AMOUNT_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")  # \d would also take Arabic-Indic digits

# Shown without decimals whatever the price list holds: no coins below the unit circulate.
WHOLE_DISPLAY = frozenset({"CLP", "COP", "PYG"})
# Where CLDR's pattern is not how the country's businesses write prices (Argentina: "$ 1.490,00").
CURRENCY_PATTERNS = {"es_AR": "¤ #,##0.00"}
_SHORT_LOCALES = {"es": "es_MX", "en": "en_US"}


@dataclass(frozen=True, slots=True)
class Totals:
    """An order's money: `total == subtotal + delivery_fee`, each rounded to the currency."""

    subtotal: Decimal
    delivery_fee: Decimal
    total: Decimal


def is_currency(code: str) -> bool:
    """Tell whether `code` is a supported ISO 4217 code (upper case, as in ``"MXN"``)."""
    return code in CURRENCIES


def parse_amount(value: str | int | Decimal, field: str = "amount") -> Decimal:
    """Parse a non-negative amount with at most two decimals.

    Strings may use a decimal point (``"1.50"``) or, when there is exactly one comma and no point,
    a Spanish decimal comma (``"1,50"``). Surrounding whitespace is ignored.

    Args:
        value: the amount as text, an int or a Decimal.
        field: the field path named in the error.

    Returns:
        The amount as a finite Decimal with at most two decimal places.

    Raises:
        TypeError: `value` is a float, a bool or another type; floats cannot hold cents exactly,
            so receiving one is a bug at the boundary, not bad input.
        ValidationFailed: a malformed string, currency symbols, thousands separators, NaN or
            Infinity, a negative value, more than two decimals, or a value of 10**10 or more.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise TypeError(f"{field}: amounts are str, int or Decimal, not {type(value).__name__}")
    amount = _decimal_from_text(value, field) if isinstance(value, str) else Decimal(value)
    return _checked(amount, field)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` half up to the minor unit of `currency` (``2.345 MXN -> 2.35``).

    Raises:
        ValidationFailed: `currency` is not in `CURRENCIES`.
        decimal.InvalidOperation: the result needs more than 28 digits; amounts that went
            through `parse_amount` times sane quantities never come near that.
    """
    return amount.quantize(_minor_unit(currency), rounding=ROUND_HALF_UP)


def line_total(unit_price: Decimal, quantity: int, currency: str) -> Decimal:
    """The price of one order line, `unit_price * quantity`, rounded once to `currency`.

    Raises:
        ValidationFailed: `quantity` is below 1 or `currency` is unknown.
    """
    if isinstance(quantity, bool) or quantity < 1:
        raise ValidationFailed("quantity must be at least 1", {"quantity": N_("must be at least 1")})
    return quantize(unit_price * quantity, currency)


def order_totals(lines: Iterable[tuple[Decimal, int]], delivery_fee: Decimal, currency: str) -> Totals:
    """Add up an order: each line is rounded first, so the total matches the lines people see.

    Args:
        lines: ``(unit_price, quantity)`` pairs.
        delivery_fee: the fee for this order (zero when there is none).
        currency: the tenant's currency code.

    Raises:
        ValidationFailed: a quantity below 1 or an unknown currency.
    """
    subtotal = sum((line_total(price, qty, currency) for price, qty in lines), quantize(Decimal(0), currency))
    fee = quantize(delivery_fee, currency)
    return Totals(subtotal=subtotal, delivery_fee=fee, total=subtotal + fee)


def format_money(amount: Decimal, currency: str, locale: str = "es_MX") -> str:
    """Show `amount` as people of `locale`'s country write it (Babel, CLDR data): ``$1,490.00`` in
    es_MX, ``$ 1.490,00`` in es_AR, ``1.490,00 €`` in es_ES, ``$1.490`` for COP and CLP, which show
    no decimals. `locale` is the tenant's country (`shared.domain.locales`), never the reader's
    language: an English conversation with a Mexican tenant still reads ``$``, not ``MX$``. A bare
    ``es``/``en`` means es_MX/en_US.

    Raises:
        ValidationFailed: an unknown currency or locale.
    """
    if isinstance(amount, Decimal) and amount.is_finite():
        return _formatted(amount, currency, locale)  # a turn shows the same prices again and again
    return _format_money(amount, currency, locale)


@functools.lru_cache(maxsize=4096, typed=True)
def _formatted(amount: Decimal, currency: str, locale: str) -> str:
    """`_format_money`, remembered. Equal amounts written with other exponents ("5.0", "5.00")
    share an entry, which is right: the amount is rounded to the currency's digits first."""
    return _format_money(amount, currency, locale)


def _format_money(amount: Decimal, currency: str, locale: str) -> str:
    babel_locale = _babel_locale(locale)
    digits = 0 if currency in WHOLE_DISPLAY else None
    rounded = quantize(amount, currency)
    if digits == 0:
        rounded = rounded.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # an amount that rounds to zero shows no sign
    pattern = CURRENCY_PATTERNS.get(str(babel_locale)) or babel_locale.currency_formats["standard"].pattern
    if digits == 0:
        pattern = re.sub(r"\.0+", "", pattern)
    return format_currency(rounded, currency, format=pattern, locale=babel_locale, currency_digits=digits is None)


def _babel_locale(locale: str) -> BabelLocale:
    tag = _SHORT_LOCALES.get(locale, locale)
    try:
        return _parsed_locale(tag)
    except (ValueError, TypeError, UnknownLocaleError):
        raise ValidationFailed(
            "unsupported locale '{locale}'", {"locale": N_("is not a known locale")}, locale=locale
        ) from None


@functools.lru_cache(maxsize=64)
def _parsed_locale(tag: str) -> BabelLocale:
    return BabelLocale.parse(tag.replace("-", "_"))


def _decimal_from_text(text: str, field: str) -> Decimal:
    """Turn amount text into a Decimal, reading a lone comma as the decimal separator."""
    cleaned = text.strip()
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _AMOUNT_TEXT.fullmatch(cleaned):
        raise _invalid(field, "must be a number such as 12.50 or 12,50, without symbols or separators")
    return Decimal(cleaned)


def _checked(amount: Decimal, field: str) -> Decimal:
    """Apply the range and precision rules to a parsed amount."""
    if not amount.is_finite():
        raise _invalid(field, "must be a finite number")
    if amount < 0:
        raise _invalid(field, "must not be negative")
    if amount >= MAX_AMOUNT:
        raise _invalid(field, "must be less than {maximum}", maximum=format(MAX_AMOUNT, ",.0f"))
    cents = amount.quantize(Decimal(1).scaleb(-MAX_DECIMALS))
    if cents != amount:
        raise _invalid(field, "must have at most {n} decimals", n=MAX_DECIMALS)
    # Keep the caller's scale ("1.5" stays 1.5) unless it is wider than cents ("1.500") or an
    # exponent ("1E+2"), so that str() of the result never shows an exponent or extra zeros.
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # "n"/"N"/"F" only for NaN and Infinity, refused above
    if exponent > 0:
        return amount.quantize(Decimal(1))
    return cents if exponent < -MAX_DECIMALS else amount + 0  # + 0 turns -0 into 0


def _minor_unit(currency: str) -> Decimal:
    """``Decimal("0.01")`` for a two-digit currency, ``Decimal("1")`` for CLP and PYG."""
    digits = CURRENCIES.get(currency)
    if digits is None:
        raise ValidationFailed(
            "unsupported currency '{currency}'", {"currency": N_("is not supported")}, currency=currency
        )
    return Decimal(1).scaleb(-digits)


def _invalid(field: str, problem: str, **values: object) -> ValidationFailed:
    return ValidationFailed.of_field(field, problem, **values)
