"""Names people type (products, customers, businesses, users): cleaned once at the boundary.

Cleaning makes two spellings that look the same equal, so that uniqueness checks and searches
see what people see: Unicode is normalised to NFC ("José" typed with a combining accent equals
the precomposed one) and runs of whitespace become one space.
"""

from __future__ import annotations

import unicodedata

from comandia.shared.domain.errors import ValidationFailed

DEFAULT_MAX_LENGTH = 120

# Cc are control characters (NUL, ESC, DEL...); PostgreSQL refuses NUL in text and the rest do
# nothing visible. Cs are lone surrogates, which cannot be encoded as UTF-8. Format characters
# (Cf) stay allowed: emoji sequences and several scripts need zero-width joiners.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})


def clean_name(value: str, field: str, max_len: int = DEFAULT_MAX_LENGTH) -> str:
    """Normalise a human-entered name, or refuse it.

    Leading and trailing whitespace is dropped, inner runs of whitespace (tabs and line breaks
    included) become one space, and the text is normalised to Unicode NFC.

    Args:
        value: the name as received.
        field: the field path named in the error.
        max_len: the most characters (code points) allowed after cleaning.

    Returns:
        The cleaned name, between 1 and `max_len` characters.

    Raises:
        ValidationFailed: the name is empty or only whitespace, has a control character, or is
            longer than `max_len` after cleaning.
        ValueError: `max_len` is below 1 (a bug in the caller).
    """
    if max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    if not cleaned:
        raise _invalid(field, "must not be empty")
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in cleaned):
        raise _invalid(field, "must not contain control characters")
    if len(cleaned) > max_len:
        raise _invalid(field, "must be at most {n} characters", n=max_len)
    return cleaned


def _invalid(field: str, problem: str, **values: object) -> ValidationFailed:
    return ValidationFailed.of_field(field, problem, **values)


def match_key(value: str) -> str:
    """The form under which two names count as the same for a customer typing them.

    Lower case, accents dropped, every run of characters that are not letters or digits made
    one space: "Coca-Cola", "coca cola" and "COCA  COLA" share the key "coca cola", and so do
    "Jalapeño" and "jalapeno". Used to keep product aliases unambiguous.
    """
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())
