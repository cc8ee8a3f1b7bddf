"""Tests for comandia.shared.domain.phones."""

from __future__ import annotations

import phonenumbers
import pytest

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.phones import is_e164, to_e164

LATIN_AMERICA = [
    "AR", "BO", "BR", "CL", "CO", "CR", "DO", "EC", "GT", "HN", "MX", "NI", "PA", "PE", "PY", "UY", "VE",
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+5215512345678", None, "+5215512345678"),
        ("5215512345678", None, "+5215512345678"),  # a Meta wa_id
        ("whatsapp:+5215512345678", None, "+5215512345678"),  # Twilio's form
        ("WhatsApp: +52 1 55 1234 5678", None, "+5215512345678"),
        ("+52 (55) 1234-5678", None, "+525512345678"),
        ("0052 55 1234 5678", None, "+525512345678"),
        ("(55) 1234-5678", "MX", "+525512345678"),
        ("55.1234.5678", "mx", "+525512345678"),
        ("300 123 4567", "CO", "+573001234567"),
        ("+54 9 11 2345-6789", None, "+5491123456789"),
        ("+56 9 1234 5678", "CO", "+56912345678"),  # a + wins over the region
        ("  +1 (202) 555-0123\n", None, "+12025550123"),
    ],
)
def test_common_spellings_normalise_to_e164(raw: str, region: str | None, expected: str) -> None:
    assert to_e164(raw, region) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "+",
        "++5215512345678",
        "+52+5512345678",
        "1-800-FLOWERS",
        "+52 55 1234 5678 ext. 12",
        "+999 1234567",  # no such country code
        "+52 1 2",  # too short
        "+52 155 1234 56789",  # too long, even counting WhatsApp's Mexican "1"
        "+52 1 0012345678",  # "1" followed by a Mexican number that cannot exist
        "\uff13\uff10\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17",  # full-width digits
        "5" * 41,
    ],
)
def test_text_that_is_not_a_phone_number_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        to_e164(raw, field="customer.phone")

    assert set(caught.value.fields) == {"customer.phone"}


def test_errors_name_the_phone_field_by_default() -> None:
    with pytest.raises(ValidationFailed) as caught:
        to_e164("not a number")

    assert set(caught.value.fields) == {"phone"}


def test_an_unknown_default_region_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        to_e164("5512345678", "XX")

    assert "region" in caught.value.fields


def test_a_wa_id_is_read_as_international_only_without_a_region() -> None:
    assert to_e164("573001234567") == "+573001234567"
    with pytest.raises(ValidationFailed):
        to_e164("5215512345678", "CO")  # read as a Colombian national number: too long


@pytest.mark.parametrize("region", LATIN_AMERICA)
def test_example_mobiles_of_each_country_normalise_in_every_spelling(region: str) -> None:
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert number is not None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)

    assert to_e164(international) == e164
    assert to_e164(e164[1:]) == e164
    assert to_e164(f"whatsapp:{e164}") == e164
    assert to_e164(national, region) == e164
    assert is_e164(e164)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+5215512345678", True),
        ("+525512345678", True),
        ("5215512345678", False),
        ("+52 55 1234 5678", False),
        ("whatsapp:+5215512345678", False),
        ("+0123456", False),
        ("+999123456", False),
        ("", False),
    ],
)
def test_is_e164_accepts_only_canonical_numbers(value: str, expected: bool) -> None:
    assert is_e164(value) is expected
