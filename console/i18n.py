"""Every screen text in Spanish and English, from the message catalogs: a `Translator` (no Qt here).

The keys and their English texts are in `i18n_catalog`; the translations in the product's gettext
catalogs (`shared.i18n`, ``shared/locale``), which `scripts/i18n.py` keeps in step with the code.
"""

from __future__ import annotations

from comandia.console.i18n_catalog import CATALOG
from comandia.shared.i18n import fill, gettext, pgettext

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
        english = CATALOG.get(key)
        if english is None:
            return key
        if isinstance(english, tuple):
            translated, english = pgettext(self.language, *english), english[1]
        else:
            translated = gettext(self.language, english)
        if not values:
            return translated
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):  # a bad translation: the English
            return fill(english, values)


def both_languages() -> dict[str, tuple[str, str]]:
    """Every key with its Spanish and its English text (unfilled templates)."""
    spanish, english = Translator("es"), Translator("en")
    return {key: (spanish(key), english(key)) for key in CATALOG}
