"""Hostile spreadsheets for the S13 tests and benchmarks/upload_bombs.py: built here, byte by byte
where a library would refuse to write them."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable

import xlsxwriter

HEADER = ("sku", "name", "price")


def catalog_xlsx(rows: int = 3) -> bytes:
    """A genuine small catalog made by a real writer."""
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as workbook:
        sheet = workbook.add_worksheet("catalog")
        sheet.write_row(0, 0, HEADER)
        for row in range(1, rows + 1):
            sheet.write_row(row, 0, (f"SKU-{row}", f"Producto {row}", "10.50"))
    return out.getvalue()


def _rewrite_sheet(content: bytes, change: Callable[[str], str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(item.filename, data)
    return out.getvalue()


def inflated_dimension(rows: int = 3) -> bytes:
    """A genuine catalog whose sheet declares A1:XFD1048576, as Excel writes when whole columns
    are formatted: the real rows must still be read."""
    return _rewrite_sheet(
        catalog_xlsx(rows), lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
    )


def dimension_bomb() -> bytes:
    """A tiny workbook claiming 1,048,576 rows × 16,384 columns, with a cell at XFD1048576."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return _rewrite_sheet(inflated_dimension(), lambda xml: xml.replace("</sheetData>", far + "</sheetData>"))


def zip_bomb(inflated_mib: int = 1024) -> bytes:
    """A workbook whose sheet inflates to `inflated_mib` MiB of blank XML (1 GiB is ~1 MB zipped).

    The deflate stream is made once in chunks, so building it costs no memory, and written
    into the archive with its true sizes: only the ratio and the size give it away.
    """
    good = catalog_xlsx()
    source = zipfile.ZipFile(io.BytesIO(good))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    head, tail = sheet.split("</sheetData>")
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1024 * 1024)
    compressed = [packer.compress(head.encode())]
    crc = zlib.crc32(head.encode())
    for _ in range(inflated_mib):
        compressed.append(packer.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    end = ("</sheetData>" + tail).encode()
    compressed += [packer.compress(end), packer.flush()]
    crc = zlib.crc32(end, crc)
    data = b"".join(compressed)
    size = len(head.encode()) + inflated_mib * len(chunk) + len(end)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item.filename, source.read(item.filename))
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        # Write the raw deflate stream with its real sizes through zipfile's own writer.
        info.file_size, info.compress_size, info.CRC = size, len(data), crc
        _write_raw(target, info, data)
    return out.getvalue()


def _write_raw(target: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Append an already-compressed member (zipfile has no public call for it)."""
    fp = target.fp
    assert fp is not None
    info.header_offset = fp.tell()
    info.flag_bits = 0
    info.create_system = 3
    info.extract_version = info.create_version = 20
    fp.write(info.FileHeader(zip64=False))
    fp.write(data)
    target.filelist.append(info)
    target.NameToInfo[info.filename] = info
    target.start_dir = fp.tell()


def csv_of_blank_lines(lines: int = 1_000_000) -> bytes:
    """A CSV header followed by a million empty lines (1 MB)."""
    return b"sku,name,price\n" + b"\n" * lines


def csv_of_rows(rows: int) -> bytes:
    return b"sku,name,price\n" + b"".join(b"S%d,P,1\n" % i for i in range(rows))
