"""How comandia-admin talks: tables for people, JSON for scripts, one-line errors on stderr.

Everything a person reads is in `language` (Spanish unless the environment asks for English,
`server.config.reader_language`), from the message catalogs: write the English text as a template
and let `say` translate it (``out.say("deleted {tenant_id}", tenant_id=...)``); table headers
and domain errors are translated here. JSON for scripts stays as it is, in any language.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from comandia.shared.domain.errors import DomainError, ValidationFailed
from comandia.shared.i18n import DEFAULT_LANGUAGE, gettext, text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Output:
    def __init__(
        self,
        as_json: bool,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        language: str = DEFAULT_LANGUAGE,
    ) -> None:
        self.as_json = as_json
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.language = language

    def say(self, message: str, /, **values: object) -> str:
        """`message` (an English template from the catalog) in the reader's language, filled in."""
        return text(self.language, message, **values)

    def failure(self, error: DomainError) -> None:
        """A domain error as one line, in the reader's language, naming the fields it is about."""
        detail = error.localized(self.language)
        if isinstance(error, ValidationFailed) and error.fields:
            problems = error.localized_fields(self.language)
            if not all(problem in detail for problem in problems.values()):  # say each problem once
                detail = f"{detail} ({'; '.join(f'{k}: {v}' for k, v in problems.items())})"
        self.error(detail)

    def result(self, data: Any, human: Callable[[], None] | str) -> None:
        """Print `data` as JSON for scripts, or the human rendering."""
        if self.as_json:
            print(json.dumps(data, default=str, ensure_ascii=False, indent=2), file=self.stdout)
        elif isinstance(human, str):
            print(human, file=self.stdout)
        else:
            human()

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None) -> None:
        """Rows under their headers (translated). Nothing is ever cut short (ids, paths, passwords,
        time zones): on a terminal a long value wraps inside its column; into a pipe or a file each
        row stays on one line, however wide (`width` overrides both, for tests)."""
        table = Table(box=None, header_style="bold")
        for column in columns:
            table.add_column(gettext(self.language, column), overflow="fold")
        for row in rows:
            table.add_row(*("" if value is None else str(value) for value in row))
        terminal = self.stdout.isatty()
        Console(file=self.stdout, width=width or (None if terminal else 100_000), soft_wrap=not terminal).print(table)

    def error(self, message: str) -> None:
        if self.as_json:
            print(json.dumps({"error": message}, ensure_ascii=False), file=self.stdout)
        print(f"error: {message}", file=self.stderr)

    def info(self, message: str) -> None:
        """A remark for people (never mixed into JSON output)."""
        print(message, file=self.stderr if self.as_json else self.stdout)
