"""`kpis rebuild [TENANT...]` and `export TENANT DATASET --from --to --out FILE`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from comandia.provisioning.output import EXIT_OK, EXIT_USAGE, Output
from comandia.provisioning.progress import progress_bar
from comandia.server.services.kpis.exports import DATASETS
from comandia.server.wiring import Runtime
from comandia.shared.domain.times import parse_date


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kpis = commands.add_parser("kpis", help="KPI rollups and the superadmin summary")
    verbs = kpis.add_subparsers(dest="verb", required=True, metavar="VERB")
    rebuild = verbs.add_parser("rebuild", help="recompute rollups and summaries from the raw orders")
    rebuild.add_argument("tenant_ids", nargs="*", metavar="TENANT", help="default: every live tenant")
    rebuild.set_defaults(handler=run_rebuild)
    export = commands.add_parser("export", help="export a tenant's data as XLSX or CSV")
    export.add_argument("tenant_id", metavar="TENANT")
    export.add_argument("dataset", choices=DATASETS)
    export.add_argument("--from", dest="from_day", required=True, help="first local day, YYYY-MM-DD")
    export.add_argument("--to", dest="to_day", required=True, help="last local day, YYYY-MM-DD (included)")
    export.add_argument("--out", required=True, type=Path, help="file to write; .xlsx or .csv")
    export.set_defaults(handler=run_export)


def run_rebuild(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    kpis = runtime.services.kpis
    tenant_ids = args.tenant_ids or [t.id for t in runtime.tenants.list()]
    with progress_bar(out.say("rebuilding KPIs"), enabled=not args.json) as advance:
        for done, tenant_id in enumerate(tenant_ids):
            advance(done, len(tenant_ids), tenant_id)
            kpis.rebuild(tenant_id)
        advance(len(tenant_ids), len(tenant_ids), "")
    out.result({"rebuilt": tenant_ids}, out.say("rebuilt the KPIs of {count} tenant(s)", count=len(tenant_ids)))
    return EXIT_OK


def run_export(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        out.error(out.say("--out must end in .xlsx or .csv"))
        return EXIT_USAGE
    exports = runtime.services.exports
    export = exports.tenant_export(
        args.tenant_id,
        args.dataset,
        fmt,
        parse_date(args.from_day, "from"),
        parse_date(args.to_day, "to"),
        language=out.language,
    )
    partial = args.out.with_name(args.out.name + ".part")
    written = 0
    # The total is unknown while streaming: the bar counts megabytes written.
    with (
        progress_bar(out.say("exporting {dataset}", dataset=args.dataset), enabled=not args.json) as advance,
        open(partial, "wb") as file,
    ):
        for chunk in export.chunks:
            file.write(chunk)
            written += len(chunk)
            advance(written // 1_000_000, 0, f"{written / 1e6:.1f} MB")
    os.replace(partial, args.out)  # a half-written file never carries the final name
    out.result(
        {"file": str(args.out), "bytes": written},
        out.say("wrote {path} ({size} bytes)", path=args.out, size=format(written, ",")),
    )
    return EXIT_OK
