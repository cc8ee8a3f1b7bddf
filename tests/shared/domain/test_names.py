"""Tests for comandia.shared.domain.names."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.names import clean_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Tacos   El Güero ", "Tacos El Güero"),
        ("Pan\tde\nmuerto", "Pan de muerto"),
        ("Jose\u0301", "José"),  # a combining accent becomes the precomposed letter
        ("Café 👨\u200d🍳", "Café 👨\u200d🍳"),  # the zero-width joiner inside an emoji stays
        ("x" * 120, "x" * 120),
    ],
)
def test_names_are_trimmed_collapsed_and_normalised(raw: str, expected: str) -> None:
    assert clean_name(raw, "name") == expected


@pytest.mark.parametrize("raw", ["", "   ", "\n\t"])
def test_empty_names_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        clean_name(raw, "product.name")

    assert set(caught.value.fields) == {"product.name"}


@pytest.mark.parametrize("raw", ["Tacos\x00", "Bell\x07", "Del\x7f", "Esc\x1b[31m", "Half\ud800"])
def test_control_characters_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        clean_name(raw, "name")

    assert caught.value.fields == {"name": "must not contain control characters"}


def test_names_longer_than_the_limit_after_cleaning_are_refused() -> None:
    assert clean_name("  " + "a" * 10 + "  ", "name", max_len=10) == "a" * 10
    with pytest.raises(ValidationFailed) as caught:
        clean_name("a" * 11, "name", max_len=10)

    assert "at most 10" in caught.value.fields["name"]


def test_a_limit_below_one_is_a_bug() -> None:
    with pytest.raises(ValueError, match="max_len"):
        clean_name("a", "name", max_len=0)


@given(st.text(max_size=200))
def test_cleaning_is_idempotent(raw: str) -> None:
    try:
        once = clean_name(raw, "name", max_len=200)
    except ValidationFailed:
        assume(False)
        return
    assert clean_name(once, "name", max_len=200) == once
    assert once == once.strip()
    assert "  " not in once
