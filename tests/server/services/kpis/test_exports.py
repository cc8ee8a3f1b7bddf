"""Exports: real dates and numbers in XLSX (checked with openpyxl), Excel-friendly CSV, streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from comandia.server.services.kpis.exports import ExportService
from comandia.server.services.kpis.spreadsheets import XLSX_MAX_ROWS, Sheet, write
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import NotFound, ValidationFailed
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from tests.plugins.tenants import MakeTenant
from tests.server.services.kpis.kpi_shop import Shop

D = dt.date
MX = dt.timezone(dt.timedelta(hours=-6))


def shop_with_orders(runtime: Runtime, make_tenant: MakeTenant) -> tuple[Shop, ExportService]:
    shop = Shop(runtime, make_tenant(timezone="America/Mexico_City").id)
    shop.order(dt.datetime(2026, 3, 9, 23, 59, tzinfo=MX), 0, (("TACO", 2), ("REF", 1)), fee="15")
    shop.order(dt.datetime(2026, 3, 10, 8, 30, tzinfo=MX), 1, (("FLAN", 3),))
    shop.cancel(shop.order(dt.datetime(2026, 3, 10, 9, 0, tzinfo=MX), 3, (("TACO", 1),)))
    shop.order(dt.datetime(2026, 3, 11, 0, 0, tzinfo=MX), 2, (("REF", 1),))  # the day after the range
    return shop, runtime.services.exports


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_orders_xlsx_has_typed_cells_frozen_header_and_filter(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, exports = shop_with_orders(runtime, make_tenant)
    export = exports.tenant_export(shop.tenant_id, "orders", "xlsx", D(2026, 3, 9), D(2026, 3, 10))
    assert export.filename.endswith(".xlsx") and "spreadsheetml" in export.content_type
    book = workbook(b"".join(export.chunks))
    assert book.sheetnames == ["pedidos", "artículos"]  # Spanish unless asked otherwise
    orders, items = book["pedidos"], book["artículos"]
    header = [c.value for c in orders[1]]
    assert header[:3] == ["Número", "Creado", "Estado"] and orders.freeze_panes == "A2"
    assert orders.auto_filter.ref == "A1:Q4"
    rows = list(orders.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == ["nuevo", "nuevo", "cancelado"]
    first = rows[0]
    assert first[1] == dt.datetime(2026, 3, 9, 23, 59)  # local wall time, a real datetime
    assert isinstance(first[0], int) and first[11] == pytest.approx(87.5) and first[10] == 15
    assert (
        orders.cell(2, 12).number_format == '"$"#,##0.00'  # pesos as Mexicans write them
        and orders.cell(2, 2).number_format == "yyyy-mm-dd hh:mm:ss"
    )
    assert orders.column_dimensions["E"].width > 20
    lines = list(items.iter_rows(min_row=2, values_only=True))
    assert [(r[11], r[14], r[15]) for r in lines] == [
        ("TACO", 2, 50),
        ("REF", 1, 22.5),
        ("FLAN", 3, 21.75),
        ("TACO", 1, 25),
    ]


def test_orders_csv_is_utf8_with_bom_one_row_per_line_and_safe(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, exports = shop_with_orders(runtime, make_tenant)
    data = b"".join(exports.tenant_export(shop.tenant_id, "orders", "csv", D(2026, 3, 9), D(2026, 3, 10)).chunks)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Pedido", "Creado", "Estado"] and len(rows) == 5
    assert rows[1][1] == "2026-03-09 23:59:00" and rows[1][4] == "'+525511110001"  # no formula in Excel
    assert (rows[1][11], rows[1][13], rows[1][15]) == ("TACO", "25.00", "50.00")


def test_customers_products_and_kpis_exports(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, exports = shop_with_orders(runtime, make_tenant)
    span = (D(2026, 3, 9), D(2026, 3, 10))
    customers = workbook(b"".join(exports.tenant_export(shop.tenant_id, "customers", "xlsx", *span).chunks))
    rows = {r[1]: r for r in customers["clientes"].iter_rows(min_row=2, values_only=True)}
    assert (rows["Ana"][8], rows["Ana"][9]) == (1, 87.5) and (rows["Carla"][8], rows["Dani"][8]) == (0, 0)
    products = workbook(b"".join(exports.tenant_export(shop.tenant_id, "products", "xlsx", *span).chunks))
    sold = {r[0]: (r[7], r[8], r[5]) for r in products["productos"].iter_rows(min_row=2, values_only=True)}
    assert sold == {"FLAN": (3, 21.75, True), "REF": (1, 22.5, True), "TACO": (2, 50, True)}
    kpis = workbook(b"".join(exports.tenant_export(shop.tenant_id, "kpis", "xlsx", *span).chunks))
    assert kpis.sheetnames[:3] == ["resumen", "serie", "por estado"]
    summary = {r[0]: r[1] for r in kpis["resumen"].iter_rows(min_row=2, values_only=True)}
    assert (summary["Pedidos"], summary["Ventas"]) == (2, pytest.approx(109.25))
    assert kpis["serie"].cell(2, 1).value == dt.datetime(2026, 3, 9)
    flat = b"".join(exports.tenant_export(shop.tenant_id, "kpis", "csv", *span).chunks).decode("utf-8-sig")
    assert "sales,total,2,109.25" in flat


def test_admin_tenants_export(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, exports = shop_with_orders(runtime, make_tenant)
    report = exports.admin.report(D(2026, 3, 1), D(2026, 3, 31))
    book = workbook(b"".join(exports.tenants_export("xlsx", report).chunks))
    rows = {r[0]: r for r in book["negocios"].iter_rows(min_row=2, values_only=True)}
    assert rows[shop.tenant_id][3] == 3 and rows[shop.tenant_id][7] == dt.datetime(2026, 3, 11)


def test_bad_requests_fail_before_any_byte(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, exports = shop_with_orders(runtime, make_tenant)
    with pytest.raises(ValidationFailed):
        exports.tenant_export(shop.tenant_id, "passwords", "csv", D(2026, 3, 9), D(2026, 3, 10))
    with pytest.raises(ValidationFailed):
        exports.tenant_export(shop.tenant_id, "orders", "pdf", D(2026, 3, 9), D(2026, 3, 10))
    with pytest.raises(NotFound):
        exports.tenant_export("T0000000000000", "orders", "csv", D(2026, 3, 9), D(2026, 3, 10))


def test_xlsx_goes_on_in_a_second_sheet_past_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Excel's row limit made tiny; the writer must roll over instead of failing.
    import comandia.server.services.kpis.spreadsheets as spreadsheets

    monkeypatch.setattr(spreadsheets, "XLSX_MAX_ROWS", 4)
    assert XLSX_MAX_ROWS == 1_048_576
    sheet = Sheet("n", [("N", "int", 5), ("Amount", "money", 8)], lambda: ([i, Decimal(i) / 4] for i in range(7)))
    book = workbook(b"".join(write([sheet], "xlsx", "UTC")))
    assert book.sheetnames == ["n", "n (2)", "n (3)"]
    values = [r for name in book.sheetnames for r in book[name].iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in values] == list(range(7))


def test_products_export_lists_aliases_and_imports_back_unchanged(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, exports = shop_with_orders(runtime, make_tenant)
    catalog, span = runtime.services.catalog, (D(2026, 3, 9), D(2026, 3, 10))
    taco = catalog.get_product_by_sku(shop.tenant_id, "TACO")
    catalog.update_product(shop.tenant_id, taco.id, ProductInput(sku="TACO", name="Taco", price=taco.price,
                                                                  aliases=("taquito", "taco al pastor")))  # fmt: skip
    data = b"".join(exports.tenant_export(shop.tenant_id, "products", "csv", *span).chunks)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][-1] == "Otros nombres"
    assert {r[0]: r[-1] for r in rows[1:]} == {"FLAN": "", "REF": "", "TACO": "taquito | taco al pastor"}
    report = runtime.services.catalog_import.dry_run(shop.tenant_id, data, "products.csv")
    assert (report.issues, report.created, report.updated, report.unchanged) == ((), 0, 0, 3)


def test_order_lines_export_their_note(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop = Shop(runtime, make_tenant(timezone="America/Mexico_City").id)
    shop.clock.now = dt.datetime(2026, 3, 9, 12, 0, tzinfo=MX)
    lines = (OrderLineInput(2, sku="TACO", note="sin cebolla"), OrderLineInput(1, sku="REF"))
    data = OrderInput(shop.customers[0], lines)
    shop.orders.create(shop.tenant_id, data, actor="ana")
    export = runtime.services.exports.tenant_export(shop.tenant_id, "orders", "csv", D(2026, 3, 9), D(2026, 3, 9))
    rows = list(csv.reader(io.StringIO(b"".join(export.chunks).decode("utf-8-sig"))))
    assert rows[0][-1] == "Nota" and [(r[11], r[-1]) for r in rows[1:]] == [("TACO", "sin cebolla"), ("REF", "")]
    book = workbook(b"".join(runtime.services.exports.tenant_export(shop.tenant_id, "orders", "xlsx",
                                                                    D(2026, 3, 9), D(2026, 3, 9)).chunks))  # fmt: skip
    assert [r[-1] for r in book["artículos"].iter_rows(min_row=2, values_only=True)] == ["sin cebolla", None]


def test_an_english_reader_gets_english_headers_sheets_and_statuses(runtime: Runtime, make_tenant: MakeTenant) -> None:
    shop, exports = shop_with_orders(runtime, make_tenant)
    span = (D(2026, 3, 9), D(2026, 3, 10))
    data = b"".join(exports.tenant_export(shop.tenant_id, "orders", "csv", *span, language="en").chunks)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Order", "Created", "Status"] and {r[2] for r in rows[1:]} == {"new", "cancelled"}
    book = workbook(b"".join(exports.tenant_export(shop.tenant_id, "orders", "xlsx", *span, language="en").chunks))
    assert book.sheetnames == ["orders", "items"]
    assert book["orders"].cell(2, 12).number_format == '"$"#,##0.00'  # the tenant's country, not the reader's


@pytest.mark.parametrize(
    ("currency", "locale", "expected"),
    [
        ("MXN", "es_MX", '"$"#,##0.00'),
        ("ARS", "es_AR", '"$" #,##0.00'),
        ("EUR", "es_ES", '#,##0.00 "€"'),
        ("COP", "es_CO", '"$"#,##0'),
        ("CLP", "es_CL", '"$"#,##0'),
        (None, "es_MX", "#,##0.00"),
    ],
)
def test_xlsx_amounts_carry_the_currency_as_the_country_writes_it(
    currency: str | None, locale: str, expected: str
) -> None:
    from comandia.server.services.kpis.spreadsheets import Style

    assert Style("es", currency, locale).money_format() == expected
