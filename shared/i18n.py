"""Message catalogs: every text a person reads, Spanish first, English too (gettext, read with Babel).

Texts are written in English in the code (the gettext msgid) and translated in
``shared/locale/<language>/LC_MESSAGES/comandia.po``. The ``.po`` files ship as package data and are
read at first use (Babel parses them and builds the gettext tables in memory), so a plain wheel
install and a PyInstaller bundle need no compile step. Spanish is the default: an unknown language,
a missing header or an unset environment all mean Spanish.

Mark a text where it is written and translate it where its reader is known:

- ``N_("...")`` marks a text for the catalog and returns it unchanged (error titles, constants);
- ``text(language, "tenant {tenant_id} not found", tenant_id=...)`` translates and fills in values;
- domain errors carry their template and values (`shared.domain.errors`), so the HTTP edge and the
  CLI translate them for their reader.

``scripts/i18n`` extracts the marked texts and updates the catalogs; ``tests/shared/test_i18n.py``
fails when a marked text has no Spanish translation.
"""

from __future__ import annotations

import functools
import gettext as _gettext
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from io import BytesIO
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Language = Literal["es", "en"]
LANGUAGES: tuple[Language, ...] = ("es", "en")
DEFAULT_LANGUAGE: Language = "es"
DOMAIN = "comandia"
LANGUAGE_VARIABLE = "COMANDIA_LANGUAGE"
"""Environment variable that picks comandia-admin's language (``es`` or ``en``) over the locale's."""


def N_(message: str) -> str:  # noqa: N802 (the gettext convention that extraction looks for)
    """Mark `message` for the catalog without translating it (it is translated where it is shown)."""
    return message


def NC_(context: str, message: str) -> tuple[str, str]:  # noqa: N802 (a gettext marker, like N_)
    """Mark `message` for the catalog under `context`: the same English read two ways in Spanish
    ("Log in" as a title and as a button); read it back with `pgettext`."""
    return context, message


def pgettext(language: str, context: str, message: str) -> str:
    """`message` under `context` in `language`; the English text itself when it has no translation."""
    return translations(language).pgettext(context, message)


def language_of(tag: str | None) -> Language:
    """The catalog language for a locale or language tag: ``en``, ``en_US``, ``en-GB`` -> ``en``;
    anything else (``es_MX``, ``pt``, empty, None) -> ``es``."""
    if tag and tag.strip().lower().replace("-", "_").split("_")[0] == "en":
        return "en"
    return DEFAULT_LANGUAGE


def translations(language: str) -> _gettext.NullTranslations:
    """The gettext translations for `language` (``es`` for an unknown one), read once per process."""
    return _load(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def gettext(language: str, message: str) -> str:
    """`message` in `language`; the English text itself when the catalog has no translation."""
    return translations(language).gettext(message)


def ngettext(language: str, singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a text for `count`, in `language`."""
    return translations(language).ngettext(singular, plural, count)


def text(language: str, message: str, /, **values: object) -> str:
    """`message` translated into `language`, with ``{name}`` fields filled from `values`.

    A translation that names a field the caller did not give (a bad catalog entry) falls back to
    the English template rather than failing: a reader gets a sentence, never an exception.
    """
    translated = gettext(language, message)
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return fill(message, values)


def fill(template: str, values: Mapping[str, object]) -> str:
    """`template` with its ``{name}`` fields filled; the template as it is when it does not fit the
    values (an English text written with an f-string may hold braces of its own)."""
    if not values:
        return template
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return template


def reason_in(language: str, reason: str | None) -> str | None:
    """A stored failure reason in `language`. Ours are catalog texts, alone or before the answer
    they quote ("recipient refused: 550 no such user"); a provider's or an SMTP server's own
    words are shown as they came."""
    if not reason:
        return reason
    translated = gettext(language, reason)
    if translated != reason:
        return translated
    head, colon, answer = reason.partition(": ")
    return gettext(language, head) + colon + answer if colon else reason


def accepted_language(header: str | None) -> Language:
    """The language to answer an HTTP ``Accept-Language`` header in: the first of ``es``/``en`` by
    the client's preference (q-values), Spanish when the header is absent or names neither."""
    if not header:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):  # a hostile header costs nothing more
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for negative_quality, _, tag in sorted(ranked):
        if negative_quality >= 0:  # q=0 means "not this one"
            continue
        primary = tag.replace("_", "-").split("-")[0]
        if primary in LANGUAGES:
            return "en" if primary == "en" else "es"
    return DEFAULT_LANGUAGE


def environment_language(env: Mapping[str, str]) -> Language:
    """comandia-admin's language from its environment `env` (read by `server.config`):
    ``COMANDIA_LANGUAGE``, else the POSIX locale variables in their order of precedence
    (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``); Spanish by default, also for the
    ``C``/``POSIX`` locale of servers and containers."""
    for name in (LANGUAGE_VARIABLE, "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").split(":")[0].strip()
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return language_of(value)
    return DEFAULT_LANGUAGE


def catalog_path(language: str) -> Traversable:
    """Where the ``.po`` file of `language` is inside the installed package."""
    return resources.files("comandia.shared") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def _load(language: Language) -> _gettext.NullTranslations:
    """Parse the ``.po`` file and build an in-memory ``.mo`` for gettext (a few ms, once)."""
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)
