"""`catalog list|template|import|aliases|sold-out|available`: a tenant's products from the shell.

`import` is a dry run unless `--apply` is given, like the console's import window: it prints every
problem as (row, column, problem) and exits 1 when the file has any.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from comandia.provisioning.output import EXIT_FAILED, EXIT_OK, Output
from comandia.server.services.catalog.imports import template_csv, template_xlsx
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_
from comandia.shared.schemas.catalog import ImportReport, ProductInfo


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    catalog = commands.add_parser("catalog", help="a tenant's products: list, import a file, aliases")
    verbs = catalog.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", help="list the products with their aliases")
    listing.add_argument("tenant_id", metavar="TENANT")
    listing.add_argument("--search", help="only SKUs or names containing this text")
    listing.set_defaults(handler=run_list)
    template = verbs.add_parser("template", help="write the import template to fill in")
    template.add_argument("--out", required=True, type=Path, help="file to write; .xlsx or .csv")
    template.set_defaults(handler=run_template, needs_control=False)
    imports = verbs.add_parser("import", help="check a CSV or XLSX catalog file (and apply it with --apply)")
    imports.add_argument("tenant_id", metavar="TENANT")
    imports.add_argument("file", type=Path)
    imports.add_argument("--apply", action="store_true", help="apply it when it has no problem (all or nothing)")
    imports.set_defaults(handler=run_import)
    aliases = verbs.add_parser("aliases", help="show or change a product's other names (what customers call it)")
    aliases.add_argument("tenant_id", metavar="TENANT")
    aliases.add_argument("sku")
    change = aliases.add_mutually_exclusive_group()
    change.add_argument("--set", nargs="+", metavar="ALIAS", help="replace the list with these")
    change.add_argument("--add", nargs="+", metavar="ALIAS", help="add these to the list")
    change.add_argument("--remove", nargs="+", metavar="ALIAS", help="take these out of the list")
    change.add_argument("--clear", action="store_true", help="remove every alias")
    aliases.set_defaults(handler=run_aliases)
    for verb, text in (("sold-out", "mark a product sold out: the bot stops offering it"),
                       ("available", "put a sold-out product back on sale")):  # fmt: skip
        parser = verbs.add_parser(verb, help=text)
        parser.add_argument("tenant_id", metavar="TENANT")
        parser.add_argument("sku")
        parser.set_defaults(handler=run_availability, available=verb == "available")


def run_list(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    products = runtime.services.catalog.list_products(args.tenant_id, text=args.search)
    out.result(
        [p.to_json() for p in products],
        lambda: out.table(
            [N_("SKU"), N_("NAME"), N_("PRICE"), N_("AVAILABLE"), N_("STOCK"), N_("ALIASES")],
            [[p.sku, p.name, f"{p.price} {p.currency}", p.available, p.stock, " | ".join(p.aliases)]
             for p in products],
        ),
    )  # fmt: skip
    return EXIT_OK


def run_template(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    path: Path = args.out
    path.write_bytes(template_xlsx() if path.suffix.lower() == ".xlsx" else template_csv())
    out.result({"path": str(path)}, out.say("wrote {path}", path=path))
    return EXIT_OK


def run_import(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    try:
        content = args.file.read_bytes()
    except OSError as error:
        raise ValidationFailed(
            "cannot read {path}: {reason}", {"file": N_("cannot be read")}, path=str(args.file), reason=error.strerror
        ) from None
    importer = runtime.services.catalog_import
    language = "en" if out.as_json else out.language  # a script reads the same JSON in any language
    report = importer.dry_run(args.tenant_id, content, args.file.name, language)
    if args.apply and report.ok:
        report = importer.apply(args.tenant_id, content, args.file.name, language)
    out.result(report.to_json(), lambda: _print_report(out, report, args.apply))
    return EXIT_OK if report.ok else EXIT_FAILED


def run_aliases(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    catalog = runtime.services.catalog
    product = catalog.get_product_by_sku(args.tenant_id, args.sku)
    wanted: tuple[str, ...] | None = None
    if args.set:
        wanted = tuple(args.set)
    elif args.add:
        wanted = product.aliases + tuple(args.add)
    elif args.remove:
        gone = {alias.casefold().strip() for alias in args.remove}
        wanted = tuple(a for a in product.aliases if a.casefold() not in gone)
    elif args.clear:
        wanted = ()
    if wanted is not None:
        product = catalog.set_aliases(args.tenant_id, product.id, wanted)
    out.result(product.to_json(), lambda: _print_aliases(out, product))
    return EXIT_OK


def run_availability(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    catalog = runtime.services.catalog
    product = catalog.get_product_by_sku(args.tenant_id, args.sku)
    product = catalog.set_available(args.tenant_id, product.id, args.available)
    state = "on sale" if product.available else "sold out"
    out.result(product.to_json(), f"{product.sku} {product.name}: {state}")
    return EXIT_OK


def _print_report(out: Output, report: ImportReport, apply: bool) -> None:
    verb = out.say("applied") if report.applied else out.say("would apply") if report.ok else out.say("nothing applied")
    out.info(
        out.say(
            "{rows} rows: {created} new, {updated} changed, {unchanged} unchanged ({verb})",
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            verb=verb,
        )
    )
    if report.issues:
        out.table([N_("ROW"), N_("COLUMN"), N_("PROBLEM")], [[i.row, i.column, i.problem] for i in report.issues])
    elif not apply:
        out.info(out.say("the file is clean: run again with --apply to import it"))


def _print_aliases(out: Output, product: ProductInfo) -> None:
    out.info(f"{product.sku} {product.name}: " + (" | ".join(product.aliases) or out.say("(no aliases)")))
