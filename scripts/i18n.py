"""Keep the message catalogs in step with the code: extract every marked text, update the .po files.

    .venv/bin/python scripts/i18n.py          # extract, then add new texts to es/en (es left empty)
    .venv/bin/python scripts/i18n.py --check  # exit 1 when a text lacks Spanish or is an f-string,
                                              # or a catalog is not as a run would write it

Texts are found by Babel's Python extractor from the calls listed in `KEYWORDS`: the catalog
functions of `shared.i18n`, the domain error classes (their first argument is the detail) and the
small `_invalid(field, problem)` helpers; comandia-admin's `--help` texts are read from its parser.
After a run, translate the new empty `msgstr` entries in ``shared/locale/es/LC_MESSAGES/comandia.po``;
English needs none (the msgid is the English text).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("shared", "server", "provisioning", "console")
LOCALE_DIR = ROOT / "shared" / "locale"
LANGUAGES = ("es", "en")
STABLE_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

_ERRORS = (
    "DomainError",
    "NotFound",
    "Conflict",
    "ValidationFailed",
    "Unauthorized",
    "Forbidden",
    "TooManyRequests",
    "Unavailable",
    "DeadlineExceeded",
    # The subclasses raised with a detail of their own (a new one belongs here too).
    "BackupDamaged",
    "BadSignature",
    "BudgetExhausted",
    "ServerUnreachable",
)
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "N_": None,
    "NC_": ((1, "c"), 2),
    "gettext": (2,),
    "ngettext": (2, 3),
    "text": (2,),
    "plural": (2, 3),
    "of_field": (2,),
    "say": (1,),  # comandia-admin's Output.say(message, **values)
    "_invalid": (2,),
    "file_problem": (1,),  # an uploaded file's problem: server/services/catalog/uploads.py
    "_bad_cursor": (1,),  # a list cursor's problem: server/services/pages.py
    "PayloadError": (2,),  # a webhook body's problem: server/providers/base.py
    **{name: (1,) for name in _ERRORS},
}


def extracted() -> Iterator[tuple[str | tuple[str, str], str, int, str | None]]:
    """(message, file, line, context) of every marked text in the product's sources."""
    with contextlib.redirect_stderr(io.StringIO()):  # Babel's f-string notices: `untranslatable()`
        for folder in SOURCES:
            for filename, line, message, _comments, context in extract_from_dir(
                ROOT / folder,
                method_map=[("**.py", "python")],
                keywords=KEYWORDS,
                comment_tags=(),
                strip_comment_tags=True,
            ):
                if not _is_docstring(ROOT / folder / filename, message):
                    yield message, f"{folder}/{filename}", line, context
    yield from command_line_help()


def _is_docstring(path: Path, message: str | tuple[str, str]) -> bool:
    """Whether `message` begins a docstring of `path`: Babel reads `text[a:b]` (a slice of a
    variable named like the `text` keyword) as a call left open, and takes the docstrings after it
    as its texts. A text for people is never a docstring."""
    if not isinstance(message, str):
        return False
    first_line = message.split("\n", 1)[0]
    source = path.read_text(encoding="utf-8")
    return any(f"{quotes}{first_line}" in source for quotes in ('"""', "'''"))


def command_line_help() -> Iterator[tuple[str, str, int, str | None]]:
    """comandia-admin's and comandia-server's descriptions, help texts and value names (under their
    context), read from the parsers they build."""
    from comandia.provisioning.cli import build_parser as admin_parser
    from comandia.server.cli import build_parser as server_parser
    from comandia.shared.parser_language import VALUE_NAME, help_texts, value_names

    for location, parser in (("provisioning/cli.py", admin_parser()), ("server/cli.py", server_parser())):
        for help_text in help_texts(parser):
            yield help_text.get(), f"{location} (--help)", 0, None
        for value_name in value_names(parser):
            yield value_name.get(), f"{location} (--help)", 0, VALUE_NAME


def untranslatable() -> list[str]:
    """Where a marked call is given an f-string: its text reaches every reader in English."""
    notices = io.StringIO()
    with contextlib.redirect_stderr(notices):
        for folder in SOURCES:
            for _ in extract_from_dir(ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS):
                pass
    lines = notices.getvalue().splitlines()
    sites = {line.split(": warning")[0].replace(f"{ROOT}/", "") for line in lines if "f-string" in line}
    return sorted(site for site in sites if not _is_sql(site))


def _is_sql(site: str) -> bool:
    """`sa.text(f"SELECT …")` shares its name with `i18n.text`: SQL is no text for people."""
    path, _, line = site.rpartition(":")
    source = (ROOT / path).read_text(encoding="utf-8").splitlines()
    start = max(int(line) - 3, 0)
    sql = ("sa.text(", "SELECT", "GROUP BY", "ORDER BY", "SET LOCAL")
    return any(word in " ".join(source[start : int(line)]) for word in sql)


def template() -> Catalog:
    catalog = Catalog(project="COMANDIA", domain="comandia", charset="utf-8")
    for message, location, line, context in extracted():
        if isinstance(message, tuple):
            catalog.add(tuple(m for m in message if m), locations=[(location, line)], context=context)
        elif message and any(character.isalpha() for character in message):
            catalog.add(message, locations=[(location, line)], context=context)
    return catalog


def catalog_file(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "comandia.po"


def read(language: str) -> Catalog:
    with catalog_file(language).open("rb") as source:
        return read_po(source, locale=language, domain="comandia")


def rendered(existing: Catalog, pot: Catalog) -> bytes:
    """The .po file of `existing` brought up to `pot`, exactly as `update()` writes it.

    The entries are sorted by msgid and nothing in the output depends on the run (dates, the
    order the file had before): two branches that each add a text next to the other's (``WhatsApp``
    and ``WhatsApp error {code}``) merge into an order a re-run puts back, and `stale()` says so.
    """
    existing.update(pot, no_fuzzy_matching=True)
    existing.obsolete.clear()
    existing.fuzzy = False
    existing.creation_date = existing.revision_date = STABLE_DATE  # no diff noise from a re-run
    existing.project, existing.version = "COMANDIA", ""
    existing.msgid_bugs_address = ""
    existing.last_translator = existing.language_team = ""
    target = io.BytesIO()
    write_po(target, existing, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return target.getvalue()


def _current(language: str) -> Catalog:
    path = catalog_file(language)
    return read(language) if path.exists() else Catalog(locale=language, domain="comandia")


def update() -> None:
    pot = template()
    for language in LANGUAGES:
        path = catalog_file(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered(_current(language), pot))


def stale() -> list[str]:
    """The catalog files that differ from what `update()` would write (a text added or gone, or
    entries out of order after a merge)."""
    pot = template()
    return [
        str(catalog_file(language).relative_to(ROOT))
        for language in LANGUAGES
        if not catalog_file(language).exists()
        or rendered(_current(language), pot) != catalog_file(language).read_bytes()
    ]


def missing_spanish() -> list[str]:
    """The marked texts that have no Spanish translation (empty, fuzzy or absent)."""
    spanish = read("es")
    problems = []
    for message, location, _line, context in extracted():
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid or not any(character.isalpha() for character in msgid):
            continue
        entry = spanish.get(msgid, context=context)
        strings = entry.string if entry else None
        translated = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if entry is None or entry.fuzzy or not translated:
            problems.append(f"{location}: {msgid!r}")
    return problems


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        missing = missing_spanish()
        print("\n".join(missing) or "every text has its Spanish translation")
        fixed = untranslatable()  # an f-string reaches every reader in English: as much a failure
        print("\n".join(fixed) or "no marked text is an f-string")
        unsorted = stale()
        print(
            "\n".join(f"{path}: not as scripts/i18n.py writes it, run it" for path in unsorted)
            or "the catalogs are as scripts/i18n.py writes them"
        )
        sys.exit(1 if missing or fixed or unsorted else 0)
    update()
    print(f"updated {', '.join(str(catalog_file(language).relative_to(ROOT)) for language in LANGUAGES)}")
