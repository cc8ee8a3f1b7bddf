"""Uploaded catalog files read within fixed bounds, whatever the file claims (RELIABILITY S13).

An XLSX is a zip: 1.5 KB can claim a sheet of 1,048,576 rows × 16,384 columns, and 1 MB can
inflate to gigabytes. So the archive is checked before anything parses it (member count, each
member's declared size and compression ratio; Python's zipfile never inflates a member past its
declared size, it fails the CRC instead), the sheet is streamed by openpyxl's read-only reader
with its declared dimension ignored (Excel writes A1:XFD1048576 when whole columns are
formatted, so such a file may be a genuine catalog: only its real rows are read), and rows and
columns are capped. A CSV is capped the same way. Every refusal is a `ValidationFailed` on
``file`` naming the limit.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_, fill

MAX_SHEET_ROWS = 20_000
"""Line or row positions read (blank ones included); the importer allows 10,000 products."""
MAX_COLUMNS = 64
"""Columns read of each row; the template has 10."""
MAX_MEMBERS = 500
"""Files in the archive (a workbook from Excel or LibreOffice has a dozen or two)."""
MAX_SHEET_BYTES = 48 * 1024 * 1024
"""Inflated size of a worksheet: streamed, so this bounds time, not memory."""
MAX_MEMBER_BYTES = 8 * 1024 * 1024
"""Inflated size of any other member: openpyxl loads shared strings and styles whole."""
MAX_RATIO = 100
"""Inflated / compressed size of a member over 1 MiB (spreadsheet XML compresses 5-30×)."""
_RATIO_FROM = 1024 * 1024
FILE_PROBLEM = N_("the file {problem}")
NOT_XLSX = N_("is not a readable XLSX workbook ({error})")


def csv_table(content: bytes) -> Iterator[list[str]]:
    """The rows of a UTF-8 CSV (optional BOM; comma or semicolon), at most `MAX_SHEET_ROWS`."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_problem("is not UTF-8 text; save it as 'CSV UTF-8' or upload the XLSX") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from _capped(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise file_problem("is not valid CSV ({error})", error=str(error)) from None


def xlsx_table(content: bytes) -> Iterator[list[str]]:
    """The rows of the first sheet of an XLSX as text, after `check_archive`."""
    # Imported on use: only XLSX uploads need it. openpyxl ships no type hints.
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    check_archive(content)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it ignores (styles, data validation);
            # they do not change cell values, and a warning must not fail the upload.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as error:
        raise file_problem(NOT_XLSX, error=type(error).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension is a claim, not a fact: without it, rows are not padded to it.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for values in _capped(rows):
            # The gap before a far row comes as rows of None: skip converting them cell by cell.
            yield [_cell_text(v) for v in values] if values.count(None) < len(values) else []
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as error:
        raise file_problem(NOT_XLSX, error=type(error).__name__) from None
    finally:
        workbook.close()


def check_archive(content: bytes) -> None:
    """Refuse a zip that would cost more to open than any catalog does, before it is inflated.

    Raises:
        ValidationFailed: not a zip; more than `MAX_MEMBERS` members; a worksheet over
            `MAX_SHEET_BYTES` or another member over `MAX_MEMBER_BYTES` inflated; a member over
            1 MiB that inflates more than `MAX_RATIO` times.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise file_problem(NOT_XLSX, error=type(error).__name__) from None
    if len(members) > MAX_MEMBERS:
        raise file_problem("holds more than {limit} files; the limit is {limit}", limit=MAX_MEMBERS)
    for member in members:
        is_sheet = member.filename.startswith("xl/worksheets/")
        limit = MAX_SHEET_BYTES if is_sheet else MAX_MEMBER_BYTES
        if member.file_size > limit:
            raise file_problem(
                "expands to more than {limit} MB ({member}); the limit is {limit} MB",
                limit=limit // (1024 * 1024),
                member=member.filename[:80],
            )
        if member.file_size > _RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise file_problem(
                "is compressed more than {ratio} to 1 ({member}), as no spreadsheet is; the limit is {ratio} to 1",
                ratio=MAX_RATIO,
                member=member.filename[:80],
            )


def _capped(rows: Iterator[Any]) -> Iterator[Any]:
    """`rows`, refusing the file once a row past `MAX_SHEET_ROWS` comes (blank ones count: a
    spreadsheet reader yields the gap before a far-away row, and walking it is the cost)."""
    for position, row in enumerate(rows, start=1):
        if position > MAX_SHEET_ROWS:
            raise file_problem(
                "has rows past row {limit}; the limit is {limit} rows (delete what is below the products)",
                limit=MAX_SHEET_ROWS,
            )
        yield row


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Spreadsheets store 12.5 as a binary float; its shortest repr is what the person typed.
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def file_problem(problem: str, /, **values: object) -> ValidationFailed:
    """A refusal of the whole file (field ``file``): `problem` is a catalog template that finishes
    "the file ..." ("is larger than {limit} MB"), filled from `values` where it is read, so the
    detail and the field's problem reach each reader in their language.

    `scripts/i18n.py` collects the templates given to `file_problem`.
    """
    return ValidationFailed.of_problems(FILE_PROBLEM, {"file": (problem, values)}, problem=fill(problem, values))
