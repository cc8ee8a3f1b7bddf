"""Catalog import from a CSV or XLSX file: a dry run that reports, an apply that is all-or-nothing.

The file is parsed once into rows of text (`read_rows`), each row is checked with the same rules
as a product typed in the console (`catalog.clean_product`), and every problem is reported as
(row, column, problem), with row 1 the header line as spreadsheets number it. `apply` refuses the
whole file when any row has a problem; otherwise it upserts every product by SKU, creating the
categories named, in one transaction.

The `aliases` column lists a product's other names separated by `|` (or `;`): when the file has
the column, each row's cell is the product's whole list (an empty cell clears it); a file
without the column keeps every product's aliases. An alias that is another product's name or
alias, in the file or in the catalog as the file leaves it, is a row problem like any other.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.orm import Session

from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Category, Product
from comandia.server.services.catalog.aliases import (
    SEPARATORS,
    NamedProduct,
    clashes,
    lock_names,
    named_products,
)
from comandia.server.services.catalog.catalog import (
    ProductFields,
    clean_product,
    sku_race_as_conflict,
)
from comandia.server.services.catalog.import_issues import (
    IS_REQUIRED,
    REPEATED_SKU,
    WHOLE_NUMBER,
    YES_OR_NO,
    Problem,
    RowIssue,
    RowProblems,
    field_issue,
)
from comandia.server.services.catalog.uploads import MAX_COLUMNS, csv_table, file_problem, xlsx_table
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.money import parse_amount
from comandia.shared.domain.names import clean_name
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import DEFAULT_LANGUAGE
from comandia.shared.schemas.catalog import ImportReport, ProductInput

COLUMNS = (
    "sku",
    "name",
    "description",
    "category",
    "price",
    "currency",
    "available",
    "stock",
    "image_url",
    "sort_order",
    "aliases",
)
REQUIRED = ("sku", "name", "price")
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
MAX_REPORTED_FIELDS = 50
_TRUE = {"1", "true", "yes", "y", "si", "sí", "s", "x", "verdadero"}
_FALSE = {"0", "false", "no", "n", "falso"}
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class _Row:
    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class _Plan:
    rows: int
    issues: list[RowIssue]
    products: list[tuple[ProductFields, str | None]]  # fields and the category name
    aliases_given: bool  # the file has an aliases column (else every product keeps its own)
    row_of_sku: dict[str, int]


_EXAMPLES = (
    (
        "TACO-01",
        "Taco al pastor",
        "Con piña y cilantro",
        "Tacos",
        "25.00",
        "",
        "yes",
        "",
        "",
        "1",
        "pastor|taco de trompo",
    ),
    ("REF-600", "Refresco 600 ml", "", "Bebidas", "22.50", "", "yes", "48", "", "2", "refresco|soda"),
)


def template_csv() -> bytes:
    """The file to download and fill in: the header and two example rows, UTF-8 with a BOM (Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_EXAMPLES)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The same template as an XLSX workbook; every cell is text, so SKUs like 007 keep their zeros."""
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as workbook:
        sheet = workbook.add_worksheet("catalog")
        header = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, COLUMNS, header)
        for row, values in enumerate(_EXAMPLES, start=1):
            for column, value in enumerate(values):
                sheet.write_string(row, column, value)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(COLUMNS) - 1, 18)
    return out.getvalue()


def read_rows(content: bytes, filename: str | None = None) -> list[_Row]:
    """Parse an uploaded CSV (UTF-8, optional BOM, comma or semicolon) or XLSX file into rows.

    Raises:
        ValidationFailed: (field ``file``) too large, too many rows, not a readable CSV or XLSX,
            or a header without the required columns.
    """
    if len(content) > MAX_BYTES:
        raise file_problem("is larger than {limit} MB", limit=MAX_BYTES // (1024 * 1024))
    is_xlsx = content.startswith(_XLSX_MAGIC) or (filename or "").lower().endswith(".xlsx")
    table = xlsx_table(content) if is_xlsx else csv_table(content)
    header = next(table, None)
    if header is None:
        raise file_problem("is empty")
    names = [_HEADERS.get(h.strip().lower(), h.strip().lower()) for h in header[:MAX_COLUMNS]]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise file_problem("has no column {columns} in its first line (see the template)", columns=", ".join(missing))
    rows: list[_Row] = []
    for number, values in enumerate(table, start=2):
        if not any(v.strip() for v in values):
            continue  # blank lines are common at the end of spreadsheets
        if len(rows) >= MAX_ROWS:
            raise file_problem("has more than {limit} rows; split it", limit=MAX_ROWS)
        cells = {
            name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(names) if name in COLUMNS
        }
        rows.append(_Row(number, cells))
    return rows


# Headers in Spanish (and the products export's, in either language) name the same columns, so a
# Spanish-speaking manager's file and an exported product list import as they are.
_HEADERS = {
    "nombre": "name", "descripción": "description", "descripcion": "description", "categoría": "category",
    "categoria": "category", "precio": "price", "moneda": "currency", "disponible": "available",
    "existencias": "stock", "imagen": "image_url", "url de imagen": "image_url", "orden": "sort_order",
    "otros nombres": "aliases", "alias": "aliases", "image url": "image_url", "sort order": "sort_order",
}  # fmt: skip


class CatalogImportService:
    """Dry-run and apply catalog files.

    Args:
        databases: the appliance's databases.
        contexts: each tenant's currency (the file's prices are in it).
    """

    def __init__(self, databases: Databases, contexts: TenantContexts) -> None:
        self._db = databases
        self._contexts = contexts

    def dry_run(
        self, tenant_id: str, content: bytes, filename: str | None = None, language: str = DEFAULT_LANGUAGE
    ) -> ImportReport:
        """Check a file and say what `apply` would do, its problems in `language`; changes nothing.

        Raises:
            ValidationFailed: the file itself is unreadable (see `read_rows`); row problems are in the report.
        """
        rows = read_rows(content, filename)
        currency = self._contexts.get(tenant_id).currency
        plan = _plan(rows, currency)
        with self._db.tenant_session(tenant_id) as session:
            plan = _with_alias_issues(session, plan)
            return _report(session, plan, applied=False, language=language)

    def apply(
        self, tenant_id: str, content: bytes, filename: str | None = None, language: str = DEFAULT_LANGUAGE
    ) -> ImportReport:
        """Upsert every product of the file by SKU in one transaction, or nothing at all.

        Raises:
            ValidationFailed: the file is unreadable, or any row has a problem; `fields` maps
                ``rows[<row>].<column>`` to the problem (the first 50; a dry run lists them all).
            Conflict: another upload took one of the SKUs at the same moment.
        """
        rows = read_rows(content, filename)
        currency = self._contexts.get(tenant_id).currency
        plan = _plan(rows, currency)
        with self._db.tenant_session(tenant_id) as session:
            lock_names(session)
            plan = _with_alias_issues(session, plan)
            _refuse_issues(plan)
            report = _report(session, plan, applied=True, language=language)
            _write(session, plan)
            session.commit()
        return report


def _refuse_issues(plan: _Plan) -> None:
    if plan.issues:
        raise RowProblems(plan.issues, MAX_REPORTED_FIELDS)


def _plan(rows: list[_Row], currency: str) -> _Plan:
    issues: list[RowIssue] = []
    products: list[tuple[ProductFields, str | None]] = []
    first_row_of_sku: dict[str, int] = {}
    for row in rows:
        data, row_issues = _product_input(row)
        category: str | None = None
        if row.cells.get("category"):
            try:
                category = clean_name(row.cells["category"], "category")
            except ValidationFailed as error:
                row_issues.append(RowIssue(row.number, "category", Problem.of(error, next(iter(error.fields)))))
        if data is not None:
            try:
                fields = clean_product(data, currency)
            except ValidationFailed as error:
                row_issues.extend(field_issue(row.number, path, Problem.of(error, path)) for path in error.fields)
            else:
                seen = first_row_of_sku.setdefault(fields.sku, row.number)
                if seen != row.number:
                    row_issues.append(RowIssue(row.number, "sku", Problem(REPEATED_SKU, {"row": seen})))
                elif not row_issues:
                    products.append((fields, category))
        issues.extend(row_issues)
    aliases_given = bool(rows) and "aliases" in rows[0].cells
    return _Plan(len(rows), issues, products, aliases_given, first_row_of_sku)


def _with_alias_issues(session: Session, plan: _Plan) -> _Plan:
    """The plan with a problem for each alias (or name) that is another product's name or alias.

    Compared with the catalog as applying the file would leave it: the file's rows replace the
    products with their SKU, the others stay as they are.
    """
    final = {named.key: named for named in named_products(session)}
    for fields, _ in plan.products:
        kept = final[fields.sku].aliases if not plan.aliases_given and fields.sku in final else ()
        final[fields.sku] = NamedProduct(fields.sku, fields.name, tuple(fields.aliases) or kept)
    issues = list(plan.issues)
    clean: list[tuple[ProductFields, str | None]] = []
    for fields, category in plan.products:
        row = plan.row_of_sku[fields.sku]
        found = clashes(final[fields.sku], final.values())
        issues.extend(field_issue(row, clash.field, Problem(clash.template, clash.values)) for clash in found)
        if not found:
            clean.append((fields, category))
    if len(issues) == len(plan.issues):
        return plan
    return _Plan(plan.rows, sorted(issues, key=lambda i: i.row), clean, plan.aliases_given, plan.row_of_sku)


def _product_input(row: _Row) -> tuple[ProductInput | None, list[RowIssue]]:
    """Convert a row's text cells to a ProductInput; type problems become issues."""
    cells = row.cells
    issues: list[RowIssue] = []
    parsed: dict[str, Any] = {}
    for column in ("stock", "sort_order"):
        text = cells.get(column, "")
        if text:
            try:
                parsed[column] = _whole_number(text)
            except ValueError:
                issues.append(RowIssue(row.number, column, Problem(WHOLE_NUMBER)))
    available = cells.get("available", "").lower()
    if available and available not in _TRUE | _FALSE:
        issues.append(RowIssue(row.number, "available", Problem(YES_OR_NO)))
    for column in REQUIRED:
        if not cells.get(column):
            issues.append(RowIssue(row.number, column, Problem(IS_REQUIRED)))
    if cells.get("price"):
        try:
            parsed["price"] = parse_amount(cells["price"], "price")
        except ValidationFailed as error:
            issues.append(RowIssue(row.number, "price", Problem.of(error, "price")))
    if issues:
        return None, issues
    return ProductInput(
        sku=cells["sku"],
        name=cells["name"],
        price=parsed["price"],
        currency=cells.get("currency") or None,
        description=cells.get("description", ""),
        available=available not in _FALSE,
        stock=parsed.get("stock"),
        image_url=cells.get("image_url") or None,
        sort_order=parsed.get("sort_order", 0),
        aliases=split_aliases(cells.get("aliases", "")),
    ), issues


def split_aliases(cell: str) -> tuple[str, ...]:
    """A file cell's aliases: "coca | coke;refresco" -> ("coca", "coke", "refresco")."""
    for separator in SEPARATORS[1:]:
        cell = cell.replace(separator, SEPARATORS[0])
    return tuple(part.strip() for part in cell.split(SEPARATORS[0]) if part.strip())


def _report(session: Session, plan: _Plan, applied: bool, language: str) -> ImportReport:
    existing = _existing(session, [fields.sku for fields, _ in plan.products])
    categories = _category_ids(session)
    created = updated = unchanged = 0
    for fields, category in plan.products:
        product = existing.get(fields.sku)
        if product is None:
            created += 1
        elif _final_fields(plan, fields, category, categories, product).differs_from(product):
            updated += 1
        else:
            unchanged += 1
    return ImportReport(
        rows=plan.rows,
        created=created,
        updated=updated,
        unchanged=unchanged,
        issues=tuple(issue.localized(language) for issue in plan.issues),
        applied=applied,
    )


def _write(session: Session, plan: _Plan) -> None:
    categories = _category_ids(session)
    for _, name in plan.products:
        if name is not None and name.lower() not in categories:
            category = Category(name=name)
            session.add(category)
            session.flush()
            categories[name.lower()] = category.id
    existing = _existing(session, [fields.sku for fields, _ in plan.products], lock=True)
    now = utcnow()
    for fields, name in plan.products:
        product = existing.get(fields.sku)
        values = _final_fields(plan, fields, name, categories, product)
        if product is None:
            session.add(Product(**values.__dict__, created_at=now, updated_at=now))
        elif values.differs_from(product):
            for key, value in values.__dict__.items():
                setattr(product, key, value)
            product.updated_at = now
    with sku_race_as_conflict("(one of the file's)"):
        session.flush()


def _final_fields(
    plan: _Plan, fields: ProductFields, name: str | None, categories: dict[str, int], product: Product | None
) -> ProductFields:
    """The fields with the category named in the file; no category (or aliases) column keeps the
    product's."""
    if name is None:
        category_id = product.category_id if product is not None else None
    else:
        category_id = categories.get(name.lower(), -1)  # -1: a category the apply will create
    extra = product.extra if product is not None else {}
    aliases = fields.aliases if plan.aliases_given or product is None else list(product.aliases)
    return ProductFields(**{**fields.__dict__, "category_id": category_id, "extra": extra, "aliases": aliases})


def _existing(session: Session, skus: list[str], lock: bool = False) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for start in range(0, len(skus), 1000):
        query = sa.select(Product).where(Product.sku.in_(skus[start : start + 1000]))
        if lock:
            query = query.with_for_update(of=Product)
        products.update((p.sku, p) for p in session.scalars(query))
    return products


def _category_ids(session: Session) -> dict[str, int]:
    return {name.lower(): id_ for id_, name in session.execute(sa.select(Category.id, Category.name))}


def _whole_number(text: str) -> int:
    value = Decimal(text.replace(",", "."))  # spreadsheets may export 12 as "12.0"
    if value != value.to_integral_value():
        raise ValueError(text)
    return int(value)
