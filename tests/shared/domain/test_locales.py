"""A tenant's country as a full locale: parsed, derived from its time zone, named."""

from __future__ import annotations

import pytest

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.locales import (
    country_name,
    currency_of,
    language_of,
    locale_for_zone,
    tenant_locale,
    zone_of,
)


@pytest.mark.parametrize(
    ("zone", "locale"),
    [
        ("America/Mexico_City", "es_MX"),
        ("America/Cancun", "es_MX"),
        ("America/Tijuana", "es_MX"),
        ("America/Argentina/Buenos_Aires", "es_AR"),
        ("America/Buenos_Aires", "es_AR"),
        ("America/Bogota", "es_CO"),
        ("America/Santiago", "es_CL"),
        ("Europe/Madrid", "es_ES"),
        ("Atlantic/Canary", "es_ES"),
        ("America/New_York", "en_US"),
        ("America/Los_Angeles", "en_US"),
        ("Pacific/Honolulu", "en_US"),
        ("US/Eastern", "en_US"),
        ("America/Lima", "es_PE"),
        ("UTC", "es_MX"),
        ("Europe/Paris", "es_MX"),
        ("Not/AZone", "es_MX"),
    ],
)
def test_a_time_zone_gives_its_country_locale(zone: str, locale: str) -> None:
    assert locale_for_zone(zone) == locale


@pytest.mark.parametrize(
    ("given", "locale"),
    [
        ("es_MX", "es_MX"),
        ("es-ar", "es_AR"),
        ("ES_co", "es_CO"),
        (" en_US ", "en_US"),
        ("es", "es_MX"),
        ("en", "en_US"),
    ],
)
def test_locales_are_read_in_any_case_and_separator(given: str, locale: str) -> None:
    assert tenant_locale(given) == locale


@pytest.mark.parametrize("given", ["", "pt_BR", "es_XX", "fr", "es_MX_extra", "x" * 100])
def test_an_unserved_locale_is_refused_with_the_field(given: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        tenant_locale(given)
    assert "locale" in caught.value.fields


def test_a_locale_brings_its_currency_time_zone_language_and_name() -> None:
    assert (currency_of("es_AR"), zone_of("es_AR"), language_of("es_AR")) == (
        "ARS",
        "America/Argentina/Buenos_Aires",
        "es",
    )
    assert (currency_of("en_US"), language_of("en_US")) == ("USD", "en")
    assert country_name("es_CL") == "Chile" and country_name("en_US", "en") == "United States"
