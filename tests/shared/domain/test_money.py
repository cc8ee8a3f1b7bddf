"""Tests for comandia.shared.domain.money."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import (
    CURRENCIES,
    MAX_AMOUNT,
    WHOLE_DISPLAY,
    format_money,
    is_currency,
    line_total,
    order_totals,
    parse_amount,
    quantize,
)

currencies = st.sampled_from(sorted(CURRENCIES))
cents = st.decimals(min_value=0, max_value=MAX_AMOUNT - Decimal("0.01"), places=2)
prices = st.decimals(min_value=0, max_value=Decimal(100_000), places=2)
any_finite = st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(prices, st.integers(1, 1000)), max_size=30), prices, currencies)
def test_totals_add_up_to_subtotal_plus_fee(lines: list[tuple[Decimal, int]], fee: Decimal, currency: str) -> None:
    totals = order_totals(lines, fee, currency)

    assert totals.total == totals.subtotal + totals.delivery_fee
    assert totals.subtotal == sum((line_total(p, q, currency) for p, q in lines), Decimal(0))
    for amount in (totals.subtotal, totals.delivery_fee, totals.total):
        assert amount.as_tuple().exponent == -CURRENCIES[currency]


@given(any_finite, currencies)
def test_quantize_is_idempotent(amount: Decimal, currency: str) -> None:
    once = quantize(amount, currency)

    assert quantize(once, currency) == once
    assert abs(once - amount) <= Decimal("0.5") * Decimal(10) ** -CURRENCIES[currency]


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_refused_as_a_type_error(value: float) -> None:
    with pytest.raises(TypeError):
        parse_amount(value)  # type: ignore[arg-type]  # the point is a caller breaking the type


def test_bools_are_refused_as_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_amount(True)


@given(cents)
def test_spanish_decimal_comma_reads_like_a_point(amount: Decimal) -> None:
    text = str(amount)

    assert parse_amount(text.replace(".", ",")) == parse_amount(text) == amount


@given(cents)
def test_amounts_with_two_decimals_round_trip_through_text(amount: Decimal) -> None:
    assert parse_amount(str(amount)) == amount
    assert parse_amount(amount) == amount


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.50", Decimal("1.50")),
        ("1,50", Decimal("1.50")),
        (" 12 ", Decimal("12")),
        ("0", Decimal("0")),
        ("1.500", Decimal("1.50")),
        (7, Decimal("7")),
        (Decimal("1E+2"), Decimal("100")),
        (Decimal("9999999999.99"), Decimal("9999999999.99")),
    ],
)
def test_valid_amounts_parse_to_decimals(value: str | int | Decimal, expected: Decimal) -> None:
    parsed = parse_amount(value)

    assert parsed == expected
    assert str(parsed) == str(expected)


@pytest.mark.parametrize(
    "value",
    [
        "$1.50",
        "S/ 12",
        "1.234,50",
        "1,234.50",
        "1,2,3",
        "1.2.3",
        "-1",
        "+1",
        "1e3",
        "NaN",
        "Infinity",
        "",
        " ",
        ".5",
        "1.",
        "1.234",
        "1,234",
        "10000000000",
        "\u0661\u0662",  # Arabic-Indic digits: Decimal reads them, people should not be asked to
        Decimal("NaN"),
        Decimal("-Infinity"),
        Decimal("-0.01"),
        Decimal("0.001"),
        -1,
        10**10,
    ],
)
def test_malformed_or_out_of_range_amounts_are_refused(value: str | int | Decimal) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_amount(value, field="lines[0].price")

    assert set(caught.value.fields) == {"lines[0].price"}


def test_line_total_rounds_once_half_up() -> None:
    assert line_total(Decimal("0.125"), 1, "MXN") == Decimal("0.13")
    assert line_total(Decimal("0.125"), 3, "MXN") == Decimal("0.38")  # 0.375, not 3 * 0.13
    assert line_total(Decimal("1500.50"), 1, "CLP") == Decimal("1501")


@pytest.mark.parametrize("quantity", [0, -1])
def test_line_total_refuses_quantities_below_one(quantity: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        line_total(Decimal(1), quantity, "MXN")

    assert "quantity" in caught.value.fields


def test_unknown_currencies_are_refused_naming_the_currency_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        quantize(Decimal(1), "XXX")

    assert "currency" in caught.value.fields


def test_is_currency_knows_iso_codes_in_upper_case_only() -> None:
    assert is_currency("MXN")
    assert is_currency("PYG")
    assert not is_currency("mxn")
    assert not is_currency("XXX")


def test_currencies_without_a_minor_unit_are_chile_and_paraguay() -> None:
    assert {code for code, digits in CURRENCIES.items() if digits == 0} == {"CLP", "PYG"}


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1490", "MXN", "es_MX", "$1,490.00"),  # as Mexicans write it, never $1.490,00
        ("50175", "MXN", "es_MX", "$50,175.00"),
        ("1490", "ARS", "es_AR", "$\u00a01.490,00".replace("\u00a0", " ")),
        ("1490", "COP", "es_CO", "$1.490"),  # no decimals: no coins below the peso circulate
        ("1490.5", "COP", "es_CO", "$1.491"),
        ("1234567", "COP", "es_CO", "$1.234.567"),
        ("1490", "CLP", "es_CL", "$1.490"),
        ("1490", "EUR", "es_ES", "1.490,00\u00a0€"),
        ("14900", "EUR", "es_ES", "14.900,00\u00a0€"),
        ("1490", "USD", "en_US", "$1,490.00"),
        ("1490", "MXN", "es", "$1,490.00"),  # a bare language means its main country
        ("12.5", "PEN", "es_PE", "S/\u00a012.50"),
        ("12000", "PYG", "es_PY", "Gs.\u00a012.000"),
        ("0.005", "MXN", "es_MX", "$0.01"),
        ("999.999", "MXN", "es_MX", "$1,000.00"),
        ("-5", "MXN", "es_MX", "-$5.00"),
        ("-0.001", "MXN", "es_MX", "$0.00"),
    ],
)
def test_format_money_writes_amounts_as_the_country_does(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert format_money(Decimal(amount), currency, locale) == expected


def test_an_english_reader_of_a_mexican_tenant_still_sees_pesos_as_mexicans_write_them() -> None:
    """The formatter takes the tenant's country, not the conversation's language: no `MX$`."""
    assert format_money(Decimal("1490"), "MXN", "es_MX") == "$1,490.00"
    assert format_money(Decimal("1490"), "MXN", "en_US") == "MX$1,490.00"  # what es_MX avoids


@given(cents, currencies)
def test_formatted_amounts_read_back_as_the_rounded_amount(amount: Decimal, currency: str) -> None:
    text = format_money(amount, currency, "en_US")
    digits = "".join(char for char in text if char.isdigit() or char == ".")
    number = digits.strip(".")
    expected = quantize(amount, currency)
    if currency in WHOLE_DISPLAY:
        expected = expected.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert Decimal(number) == expected


def test_format_money_refuses_unknown_locales() -> None:
    with pytest.raises(ValidationFailed) as caught:
        format_money(Decimal(1), "MXN", "xx_YY")

    assert "locale" in caught.value.fields
