"""Spreadsheet writers for exports: XLSX and CSV streamed from row iterators.

Rows are read with server-side cursors (`stream_results`) in batches and written as they come, so
a million orders never sit in memory: CSV is yielded chunk by chunk; XLSX goes through
xlsxwriter's `constant_memory` mode into a temporary file that is then streamed and deleted.
Instants are written in the tenant's local time (Excel has no time zones), amounts as numbers with
two decimals, dates as real dates. Headers, sheet names and order statuses are in the reader's
language (`Style.language`, from the message catalogs); in XLSX, amounts carry the tenant's currency
symbol where its country puts it (Babel), while CSV stays machine-readable (ISO dates, a decimal
point, no symbol) so that it imports anywhere. CSV is UTF-8 with a BOM so Excel detects the encoding, and a
text cell starting with = + - @ gets a leading apostrophe so a spreadsheet never runs it as a
formula (OWASP "CSV injection").
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_symbol
from sqlalchemy.orm import Session

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import CURRENCY_PATTERNS, WHOLE_DISPLAY
from comandia.shared.i18n import N_, gettext

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
BATCH = 2000
CHUNK = 256 * 1024
XLSX_MAX_ROWS = 1_048_576
_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")

# kind of a column: text, int, money, date, instant (aware datetime, shown local), bool, word (a value
# from the catalogs, such as an order status, shown in the reader's language)
Column = tuple[str, str, int]
"""(title, kind, width in characters)."""


@dataclass(frozen=True)
class Sheet:
    """One dataset: its name, columns and a callable giving its rows (called once, lazily)."""

    name: str
    columns: Sequence[Column]
    rows: Callable[[], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class Style:
    """How a file speaks: its words in `language`; amounts in `currency` as `locale`'s country
    writes them (XLSX only; None: plain numbers, as in the superadmin's many-currency table)."""

    language: str = "es"
    currency: str | None = None
    locale: str = "es_MX"

    def word(self, text: str) -> str:
        return gettext(self.language, text)

    def money_format(self) -> str:
        """An Excel number format such as ``"$"#,##0.00`` or ``#,##0.00 "€"`` (no decimals for CLP/COP)."""
        number = "#,##0" if self.currency in WHOLE_DISPLAY else "#,##0.00"
        if self.currency is None:
            return number
        try:
            symbol = get_currency_symbol(self.currency, locale=self.locale)
            standard = Locale.parse(self.locale).currency_formats["standard"].pattern
            pattern = CURRENCY_PATTERNS.get(self.locale, standard).split(";")[0]
        except (ValueError, UnknownLocaleError):
            return number
        quoted = '"' + symbol.replace('"', "") + '"'
        spaced = "\u00a0" in pattern or " " in pattern
        if pattern.strip().startswith("¤"):
            return f"{quoted} {number}" if spaced else f"{quoted}{number}"
        return f"{number} {quoted}" if spaced else f"{number}{quoted}"


@dataclass(frozen=True)
class Export:
    """A download: its file name, content type and the bytes, produced as the caller iterates."""

    filename: str
    content_type: str
    chunks: Iterator[bytes]


def check_format(fmt: str) -> None:
    """Raises: ValidationFailed (field ``format``) unless `fmt` is xlsx or csv."""
    if fmt not in FORMATS:
        raise ValidationFailed("unknown export format", {"format": N_("must be xlsx or csv")})


def stream_rows(session: Session, sql: Any, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    """The rows of `sql`, fetched through a server-side cursor `BATCH` at a time."""
    streamed = sql.execution_options(stream_results=True, max_row_buffer=BATCH)
    result = session.connection().execute(streamed, params)
    try:
        for batch in result.partitions(BATCH):
            yield from batch
    finally:
        # A download cut part-way (a lost connection, the client gone) must not leave its server
        # cursor to the garbage collector; closing it on a dead connection may fail, harmlessly.
        with contextlib.suppress(Exception):
            result.close()


def write(sheets: Sequence[Sheet], fmt: str, timezone: str, style: Style | None = None) -> Iterator[bytes]:
    """The file's bytes, produced lazily; CSV holds only the first sheet.

    Raises:
        ValidationFailed: an unknown format (field ``format``).
    """
    check_format(fmt)
    writer = _xlsx_chunks if fmt == "xlsx" else _csv_chunks
    return writer(sheets, ZoneInfo(timezone), style or Style())


def _csv_chunks(sheets: Sequence[Sheet], zone: ZoneInfo, style: Style) -> Iterator[bytes]:
    """CSV has one table: the first sheet (datasets made for CSV put everything there)."""
    sheet = sheets[0]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    buffer.write(_csv_line([style.word(title) for title, _, _ in sheet.columns]))
    kinds = [kind for _, kind, _ in sheet.columns]
    for row in sheet.rows():
        buffer.write(_csv_line([_csv_cell(value, kind, zone, style) for value, kind in zip(row, kinds, strict=True)]))
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


_QUOTE_IF = (",", ";", '"', "\r", "\n")


def _csv_line(cells: Sequence[Any]) -> str:
    """One CSV line, quoted as the csv module quotes (only where needed), and also where a field
    holds a `;`: Excel in Spanish (and most of Latin America) splits CSV on `;`, where an unquoted
    one would shift the row's columns. The csv module quotes only for its own delimiter."""
    fields = ("" if cell is None else str(cell) for cell in cells)
    return ",".join('"' + f.replace('"', '""') + '"' if any(c in f for c in _QUOTE_IF) else f for f in fields) + "\r\n"


def _csv_cell(value: Any, kind: str, zone: ZoneInfo, style: Style) -> Any:
    if value is None:
        return ""
    if kind == "word":
        return style.word(str(value))
    if kind == "instant":
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    if kind == "money":
        return format(value, "f")
    if kind == "text" and isinstance(value, str) and value.startswith(_UNSAFE_START):
        return "'" + value
    return value


def _xlsx_chunks(sheets: Sequence[Sheet], zone: ZoneInfo, style: Style) -> Iterator[bytes]:
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="comandia-export-")
    os.close(handle)
    try:
        _write_workbook(path, sheets, zone, style)
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def _write_workbook(path: str, sheets: Sequence[Sheet], zone: ZoneInfo, style: Style) -> None:
    options = {
        "constant_memory": True,
        "strings_to_urls": False,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "tmpdir": tempfile.gettempdir(),
    }
    workbook = xlsxwriter.Workbook(path, options)
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1}),
        "money": workbook.add_format({"num_format": style.money_format()}),
        "int": workbook.add_format({"num_format": "0"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "instant": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }
    try:
        for sheet in sheets:
            _write_sheet(workbook, sheet, formats, zone, style)
    finally:
        workbook.close()


def _write_sheet(workbook: Any, sheet: Sheet, formats: dict[str, Any], zone: ZoneInfo, style: Style) -> None:
    """Write one dataset, going on in "name (2)", "name (3)" past Excel's row limit."""
    kinds = [kind for _, kind, _ in sheet.columns]
    name = style.word(sheet.name)
    part, ws, row_number = 1, _new_worksheet(workbook, sheet, name, formats, style), 0
    for row in sheet.rows():
        row_number += 1
        if row_number >= XLSX_MAX_ROWS:
            _finish(ws, sheet, row_number - 1)
            part += 1
            ws, row_number = _new_worksheet(workbook, sheet, f"{name} ({part})", formats, style), 1
        for col, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            if value is None:
                continue
            if kind == "money" or kind == "int":
                ws.write_number(row_number, col, value, formats[kind])
            elif kind == "instant":
                ws.write_datetime(row_number, col, value.astimezone(zone).replace(tzinfo=None), formats[kind])
            elif kind == "date":
                ws.write_datetime(row_number, col, value, formats[kind])
            elif kind == "bool":
                ws.write_boolean(row_number, col, value)
            elif kind == "word":
                ws.write_string(row_number, col, style.word(str(value)))
            else:
                ws.write_string(row_number, col, str(value))
    _finish(ws, sheet, row_number)


def _new_worksheet(workbook: Any, sheet: Sheet, name: str, formats: dict[str, Any], style: Style) -> Any:
    ws = workbook.add_worksheet(name[:31])
    for col, (title, _, width) in enumerate(sheet.columns):
        ws.set_column(col, col, width)
        ws.write_string(0, col, style.word(title), formats["header"])
    ws.freeze_panes(1, 0)
    return ws


def _finish(ws: Any, sheet: Sheet, last_row: int) -> None:
    ws.autofilter(0, 0, max(last_row, 0), len(sheet.columns) - 1)
