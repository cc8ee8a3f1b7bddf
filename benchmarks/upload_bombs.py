"""Catalog uploads against bombs (RELIABILITY S13): seconds and peak memory to answer each file.

Each file is read by `read_rows` (what the import endpoint runs before touching a database) in a
fresh child process, which reports its wall time and how far its peak RSS rose above what it
held before reading (openpyxl already imported). Beside the bombs, the same figures for a
genuine 3-row and a genuine 10,000-row catalog: the baseline. Target for every bomb: answered
(refused with the limit named, or read) in < 1 s and < 50 MB.

    .venv/bin/python benchmarks/upload_bombs.py [--zip-mib 1024] [--database-url IGNORED]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.attacks import bombs  # noqa: E402 - after the path is set

CASES: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "baseline: catalog of 3 rows (xlsx)": ("upload.xlsx", lambda _: bombs.catalog_xlsx(3)),
    "baseline: catalog of 10,000 rows (xlsx)": ("upload.xlsx", lambda _: bombs.catalog_xlsx(10_000)),
    "inflated dimension A1:XFD1048576, 3 rows": ("upload.xlsx", lambda _: bombs.inflated_dimension(3)),
    "dimension bomb 1,048,576 x 16,384": ("upload.xlsx", lambda _: bombs.dimension_bomb()),
    "zip bomb": ("upload.xlsx", bombs.zip_bomb),
    "CSV of 1,000,000 blank lines": ("upload.csv", lambda _: bombs.csv_of_blank_lines()),
    "CSV of 60,000 rows": ("upload.csv", lambda _: bombs.csv_of_rows(60_000)),
}


def _child(path: str, filename: str) -> None:
    import openpyxl  # noqa: F401 - imported before the baseline, as the server has it loaded

    from comandia.server.services.catalog.imports import read_rows
    from comandia.shared.domain.errors import ValidationFailed

    content = Path(path).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        outcome = f"read {len(read_rows(content, filename))} rows"
    except ValidationFailed as error:
        outcome = f"refused: {error.detail}"
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"seconds": seconds, "mib": peak_kib / 1024, "outcome": outcome}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip-mib", type=int, default=1024, help="what the zip bomb inflates to (MiB)")
    parser.add_argument("--database-url", help="accepted for the benchmark runner; no database is used")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    import tempfile

    print(f"{'file':45} {'size':>10} {'seconds':>8} {'peak MB':>8}  outcome")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, (filename, make) in CASES.items():
            content = make(args.zip_mib)
            path = Path(folder) / filename
            path.write_bytes(content)
            result = subprocess.run(
                [sys.executable, __file__, "--child", str(path), filename],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            if not name.startswith("baseline"):
                worst = max(worst, figures["seconds"])
            print(
                f"{name:45} {len(content):>10,} {figures['seconds']:>8.3f} {figures['mib']:>8.1f}  "
                f"{figures['outcome'][:90]}"
            )
    print(f"slowest hostile file: {worst:.3f} s (target < 1 s, < 50 MB each)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
