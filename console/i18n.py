"""Every screen text in Spanish and English: a dict catalog and a `Translator` (no Qt here)."""

from __future__ import annotations

from comandia.console.i18n_catalog import CATALOG

LANGUAGES = ("es", "en")
LANGUAGE_NAMES = {"es": "Español", "en": "English"}
"""Each language in its own name, as a language picker shows it."""


def default_language(system_locale: str) -> str:
    """``en`` for an English system locale (``en_US``), ``es`` for everything else."""
    return "en" if system_locale.lower().startswith("en") else "es"


class Translator:
    """`tr(key, **values)` -> the text of `key` in `language`, with `values` filled in.

    An unknown key comes back as the key itself, so a missing text shows up instead of crashing.
    """

    def __init__(self, language: str = "es") -> None:
        self.language = language if language in LANGUAGES else "es"

    def __call__(self, key: str, **values: object) -> str:
        texts = CATALOG.get(key)
        if texts is None:
            return key
        text = texts[0] if self.language == "es" else texts[1]
        return text.format(**values) if values else text
