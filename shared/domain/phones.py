"""Phone numbers: stored and compared in E.164 (``+5215512345678``), parsed with `phonenumbers`.

Numbers arrive in many spellings: Twilio's ``whatsapp:+52...``, Meta's bare ``wa_id`` digits
(``5215512345678``) and whatever a manager types (``(55) 1234-5678``). `to_e164` turns them all
into one canonical string or refuses them.

The digits are kept as given, not rewritten to a "modern" form: WhatsApp identifies Mexican mobiles
as ``+521`` + ten digits, which `phonenumbers` calls too long since Mexico dropped that ``1`` in
2019, so it is accepted here when the ten digits after it are a possible Mexican number.
"""

from __future__ import annotations

import re

import phonenumbers

from comandia.shared.domain.errors import ValidationFailed

MAX_INPUT_LENGTH = 40
"""Longer input is refused before parsing; no real spelling of a phone number needs more."""

_WHATSAPP_SCHEME = "whatsapp:"
# A leading "+", then digits and the separators people type. Letters are refused although
# `phonenumbers` would read "1-800-FLOWERS": nobody orders from a vanity number on WhatsApp.
_PHONE_TEXT = re.compile(r"\+?[0-9 ().\-]+")
_SEPARATORS = re.compile(r"[ ().\-]")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_MEXICO = 52
_MEXICAN_MOBILE_LENGTH = 11  # "1" + ten digits, the form WhatsApp still uses


def to_e164(raw: str, default_region: str | None = None, *, field: str = "phone") -> str:
    """Normalise a phone number to E.164.

    Without `default_region`, a number is read as international even without its ``+``
    (``5215512345678`` is how WhatsApp's ``wa_id`` looks) and a leading ``00`` is taken as the
    international prefix. With a region (``"MX"``, ``"CO"``), a number without ``+`` is read as
    dialled inside that country. Pass no region for anything that came from WhatsApp.

    Args:
        raw: the number as received; surrounding spaces and a ``whatsapp:`` prefix are dropped,
            and spaces, dashes, dots and parentheses inside are ignored.
        default_region: ISO 3166 alpha-2 country for numbers without a country code.
        field: the field path named in the error.

    Returns:
        ``+`` followed by the country code and the national number, digits only.

    Raises:
        ValidationFailed: the text is not a phone number, its country code is unknown, its length
            is impossible for its country, or `default_region` is not a known region.
    """
    text = _without_whatsapp_scheme(raw.strip())
    if len(text) > MAX_INPUT_LENGTH or not _PHONE_TEXT.fullmatch(text):
        raise _invalid(field, "must contain only digits, spaces, dashes, dots, parentheses and a leading +")
    compact = _SEPARATORS.sub("", text)
    if default_region is None and not compact.startswith("+"):
        compact = "+" + compact.removeprefix("00")
    number = _parse(compact, _region(default_region), field)
    if not _is_possible(number):
        raise _invalid(field, "does not have the right number of digits for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_e164(value: str) -> bool:
    """Tell whether `value` is already canonical: exactly what `to_e164` would return for it."""
    if not _E164.fullmatch(value):
        return False
    try:
        return to_e164(value) == value
    except ValidationFailed:
        return False


def _without_whatsapp_scheme(text: str) -> str:
    """Drop Twilio's ``whatsapp:`` prefix, in any letter case."""
    if text[: len(_WHATSAPP_SCHEME)].lower() == _WHATSAPP_SCHEME:
        return text[len(_WHATSAPP_SCHEME) :].strip()
    return text


def _region(default_region: str | None) -> str | None:
    """Upper-case and check the default region; None stays None."""
    if default_region is None:
        return None
    region = default_region.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise _invalid("region", "'{region}' is not a known country code", region=default_region)
    return region


def _parse(compact: str, region: str | None, field: str) -> phonenumbers.PhoneNumber:
    """Parse with `phonenumbers`, turning its exception into `ValidationFailed`."""
    try:
        return phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise _invalid(field, "has an unknown country code") from exc
        raise _invalid(field, "is not a phone number") from exc


def _is_possible(number: phonenumbers.PhoneNumber) -> bool:
    """Check the length for the country (not whether the number is assigned).

    Only the length is checked: assignment data in `phonenumbers` ages between releases, and
    refusing a real customer's number would lose their order.
    """
    return bool(phonenumbers.is_possible_number(number)) or _is_whatsapp_mexican_mobile(number)


def _is_whatsapp_mexican_mobile(number: phonenumbers.PhoneNumber) -> bool:
    """Tell whether `number` is ``+52 1`` followed by a possible ten-digit Mexican number."""
    national = str(number.national_number)
    if number.country_code != _MEXICO or len(national) != _MEXICAN_MOBILE_LENGTH:
        return False
    # Mexican numbers never start with 0, and int() would silently drop such a zero below.
    if not national.startswith("1") or national[1] == "0":
        return False
    modern = phonenumbers.PhoneNumber(country_code=_MEXICO, national_number=int(national[1:]))
    return bool(phonenumbers.is_possible_number(modern))


def _invalid(field: str, problem: str, **values: object) -> ValidationFailed:
    return ValidationFailed.of_field(field, problem, **values)
