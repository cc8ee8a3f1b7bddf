"""Catalog import: CSV and XLSX, a per-row report on dry run, all-or-nothing apply, upsert by SKU."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from comandia.server.services.catalog.imports import (
    MAX_BYTES,
    MAX_ROWS,
    read_rows,
    template_csv,
    template_xlsx,
)
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.schemas.catalog import ImportIssue, ImportReport, ProductInput
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_template_imports_cleanly(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    importer, catalog = runtime.services.catalog_import, runtime.services.catalog
    content = template_csv()
    assert content.startswith(b"\xef\xbb\xbfsku,name,description,category,price")
    report = importer.dry_run(tenant.id, content, "plantilla.csv")
    assert (report.rows, report.created, report.updated, report.unchanged, report.issues) == (2, 2, 0, 0, ())
    assert catalog.list_products(tenant.id) == []
    applied = importer.apply(tenant.id, content)
    assert applied.applied and applied.created == 2
    products = {p.sku: p for p in catalog.list_products(tenant.id)}
    assert products["REF-600"].price == Decimal("22.50") and products["REF-600"].stock == 48
    assert products["TACO-01"].category == "Tacos" and products["TACO-01"].stock is None
    again = importer.dry_run(tenant.id, content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert ImportReport.from_json(again.to_json()) == again


def test_semicolons_bom_and_decimal_commas(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    importer, catalog = runtime.services.catalog_import, runtime.services.catalog
    catalog.create_product(tenant.id, ProductInput(sku="A1", name="Viejo", price=Decimal("1.00")))
    content = "\ufeffSKU;Name;Price;Available\r\nA1;Arepa;12,50;sí\r\nB2;Bollo;3;no\r\n\r\n".encode()
    report = importer.apply(tenant.id, content, "lista.csv")
    assert (report.rows, report.created, report.updated) == (2, 1, 1)
    products = {p.sku: p for p in catalog.list_products(tenant.id)}
    assert (products["A1"].name, products["A1"].price, products["A1"].available) == (
        "Arepa",
        Decimal("12.50"),
        True,
    )
    assert products["B2"].available is False


def test_xlsx_upload(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    importer = runtime.services.catalog_import
    content = xlsx([
        ["sku", "name", "price", "stock", "available", "category"],
        ["X1", "Empanada", 12.5, 10.0, True, "Horno"],
        ["X2", "Tamal", 20, None, False, None],
    ])  # fmt: skip
    report = importer.apply(tenant.id, content, "catalogo.xlsx")
    assert (report.created, report.issues) == (2, ())
    products = {p.sku: p for p in runtime.services.catalog.list_products(tenant.id)}
    assert (products["X1"].price, products["X1"].stock, products["X1"].category) == (
        Decimal("12.5"),
        10,
        "Horno",
    )
    assert products["X2"].available is False and products["X2"].category is None


def test_dry_run_reports_row_column_and_problem(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    importer = runtime.services.catalog_import
    content = (
        "sku,name,price,stock,available,currency\n"
        "OK1,Bien,10,,yes,\n"
        ",Sin sku,10,,,\n"
        "BAD2,Caro,10.999,-1,quizá,\n"
        "OK1,Repetido,5,,,\n"
        "BAD3,Moneda,5,2.5,,XYZ\n"
    ).encode()
    report = importer.dry_run(tenant.id, content, language="en")
    assert report.rows == 5 and report.created == 1 and not report.ok
    assert {(i.row, i.column) for i in report.issues} == {
        (3, "sku"), (4, "price"), (4, "available"), (5, "sku"), (6, "stock"),
    }  # fmt: skip
    assert ImportIssue(5, "sku", "repeats the SKU of row 2") in report.issues
    with pytest.raises(ValidationFailed) as caught:
        importer.apply(tenant.id, content)
    assert "rows[4].price" in caught.value.fields
    assert caught.value.localized_fields("es")["rows[5].sku"] == "repite el SKU de la fila 2"
    assert caught.value.localized_fields("en")["rows[4].available"] == "must be yes or no"
    spanish = {(i.row, i.column): i.problem for i in importer.dry_run(tenant.id, content).issues}  # Spanish first
    assert spanish[(3, "sku")] == "es obligatorio" and spanish[(6, "stock")] == "debe ser un número entero"
    assert spanish[(4, "price")] == "debe tener como máximo 2 decimales"
    assert runtime.services.catalog.list_products(tenant.id) == []  # all or nothing
    fixed = content.replace(b"2.5,,XYZ", b"2,,XYZ")
    report = importer.dry_run(tenant.id, fixed)
    assert (6, "currency") in {(i.row, i.column) for i in report.issues}


def test_unreadable_files_are_refused_whole(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    importer = runtime.services.catalog_import
    for content, problem in (
        (b"", "is empty"),
        (b"nombre,precio\nA,1\n", "has no column sku in"),  # Spanish headers are read; sku lacks
        (b"nom,prix\nA,1\n", "has no column sku, name, price"),
        ("sku,name,price\nA,Ñ,1\n".encode("latin-1"), "is not UTF-8"),
        (b"PK\x03\x04garbage", "is not a readable XLSX"),
        (b"x" * (MAX_BYTES + 1), "larger than 5 MB"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            importer.dry_run(tenant.id, content)
        assert problem in caught.value.fields["file"]
    too_many = "sku,name,price\n" + "".join(f"S{i},N,1\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ValidationFailed, match="more than 10000 rows"):
        read_rows(too_many.encode())
    assert len(read_rows(too_many.encode()[: too_many.encode().rindex(b"S")])) == MAX_ROWS


def test_the_xlsx_template_imports_cleanly_as_it_is(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    report = runtime.services.catalog_import.dry_run(tenant.id, template_xlsx(), "plantilla.xlsx")
    assert (report.rows, report.created, report.issues) == (2, 2, ())


def test_the_aliases_column_sets_replaces_and_clears(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    importer, catalog = runtime.services.catalog_import, runtime.services.catalog
    content = (
        b"sku;name;price;aliases\r\n"
        b'COCA;Coca-Cola 600 ml;25;"coca | coke;cocacola"\r\n'
        b"PZ;Pizza margarita;120;margarita|  pizza de queso \r\n"
        b"AGUA;Agua natural;15;\r\n"
    )
    report = importer.apply(tenant.id, content, "menu.csv")
    assert (report.created, report.issues) == (3, ())
    aliases = {p.sku: p.aliases for p in catalog.list_products(tenant.id)}
    assert aliases == {"COCA": ("coca", "coke", "cocacola"), "PZ": ("margarita", "pizza de queso"), "AGUA": ()}
    # The same file again changes nothing; a new cell replaces the list, an empty one clears it.
    assert importer.dry_run(tenant.id, content).unchanged == 3
    again = b"sku,name,price,aliases\r\nCOCA,Coca-Cola 600 ml,25,coke\r\nPZ,Pizza margarita,120,\r\n"
    assert importer.apply(tenant.id, again).updated == 2
    aliases = {p.sku: p.aliases for p in catalog.list_products(tenant.id)}
    assert (aliases["COCA"], aliases["PZ"]) == (("coke",), ())
    # A file without the column keeps every product's aliases.
    no_column = b"sku,name,price\r\nCOCA,Coca-Cola 600 ml,26\r\n"
    assert importer.apply(tenant.id, no_column).updated == 1
    assert catalog.get_product_by_sku(tenant.id, "COCA").aliases == ("coke",)


def test_ambiguous_aliases_are_row_problems(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    importer, catalog = runtime.services.catalog_import, runtime.services.catalog
    catalog.create_product(tenant.id, ProductInput(sku="AGUA", name="Agua de jamaica", price=Decimal(20),
                                                   aliases=("jamaica",)))  # fmt: skip
    content = (
        (
            "sku,name,price,aliases\r\n"
            "COCA,Coca-Cola,25,coca|refresco\r\n"  # row 2
            "SPRITE,Sprite,25,Refresco\r\n"  # row 3: the alias of row 2
            "FLOR,Flor de Jamaica,30,JAMAICA\r\n"  # row 4: the alias of a product not in the file
            "PZ,Pizza,120," + "x" * 61 + "|ok\r\n"  # row 5: too long
            "AGUA,Agua de jamaica,20,\r\n"  # row 6: clears AGUA's alias, so row 4 would be fine...
        ).encode()
    )
    report = importer.dry_run(tenant.id, content, language="en")
    problems = {(i.row, i.column): i.problem for i in report.issues}
    assert set(problems) == {(2, "aliases"), (3, "aliases"), (5, "aliases")}, problems
    assert "«refresco» is already a name or alias of product «Sprite» (SPRITE)" in problems[(2, "aliases")]
    assert "«Coca-Cola» (COCA)" in problems[(3, "aliases")]
    assert problems[(5, "aliases")] == "alias 1 must be at most 60 characters"
    spanish = {(i.row, i.column): i.problem for i in importer.dry_run(tenant.id, content).issues}
    assert spanish[(2, "aliases")].startswith("alias 2: «refresco» ya ")
    assert spanish[(5, "aliases")].startswith("alias 1: ") and "60" in spanish[(5, "aliases")]
    with pytest.raises(ValidationFailed) as caught:
        importer.apply(tenant.id, content)
    assert set(caught.value.fields) == {"rows[2].aliases", "rows[3].aliases", "rows[5].aliases"}
    assert [p.sku for p in catalog.list_products(tenant.id)] == ["AGUA"]
    # ...and without row 6 the clash with the catalog is reported.
    kept = "\r\n".join(content.decode().split("\r\n")[:4]).encode()
    problems = {(i.row, i.column): i.problem for i in importer.dry_run(tenant.id, kept, language="en").issues}
    assert "«Agua de jamaica» (AGUA)" in problems[(4, "aliases")]
