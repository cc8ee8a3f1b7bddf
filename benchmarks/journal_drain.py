"""The ingest journal's drain alone: a backlog of journaled webhooks, and how fast it empties.

Posts `--rows` signed Meta webhooks (one message each, spread over `--tenants` tenants) through
the real ingest path with no drain running, so they wait in `ingest_journal` as a burst leaves
them when the drain falls behind; then runs the drain (`IngestJournal.drain`, as the jobs process
does) until the journal is empty and prints rows per second and the process CPU per row. The
drain has the jobs process's share of the budget (`--budget`, 20: 40 split between one request
process and the jobs process) and nothing else competes for it, so this is the drain's ceiling on
this machine; `webhook_ingest.py` prints the lag (acknowledgement to inbox) under a real load.

    .venv/bin/python benchmarks/journal_drain.py [--rows 20000] [--tenants 50] [--budget 20]
        [--threads 2,10] [--database-url URL]

Each `--threads` count gets a backlog of its own, drained by a journal with that many delivery
threads, so the counts are compared in one run at one load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import bench_runtime
from webhook_ingest import APP_SECRET, PNID_BASE, body_for

from comandia.server.services.messaging.journal import IngestJournal
from comandia.server.services.messaging.numbers import NewNumber
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.services.tenancy.tenants import NewTenant


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--budget", type=int, default=20, help="the drain process's connection budget")
    parser.add_argument(
        "--threads",
        default="2,10",
        help="delivery threads to compare, one round each (2: the jobs process's share of 20 before "
        "6 December's change, 10: after)",
    )
    parser.add_argument("--database-url", default=os.environ.get("COMANDIA_DATABASE_URL"))
    args = parser.parse_args()
    with bench_runtime(args.database_url, "jd", connection_budget=args.budget) as runtime:
        services = runtime.services
        assert services.journal is not None, "the journal drain needs ingest = 'journal'"
        for n in range(args.tenants):
            tenant = runtime.tenants.create(NewTenant(name=f"Drain {n}"), actor="bench")
            services.numbers.add(
                tenant.id,
                NewNumber(
                    provider="meta",
                    e164=f"+1555{PNID_BASE % 10**7 + n:07d}",
                    phone_number_id=str(PNID_BASE + n),
                    access_token="bench",  # noqa: S106
                    app_secret=APP_SECRET,
                ),
                actor="bench",
            )
        print(
            f"{args.tenants} tenants, drain budget {args.budget}, load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores"
        )
        counts = [int(n) for n in args.threads.split(",")]
        for round_, threads in enumerate(counts):
            journal = IngestJournal(
                runtime.databases, DirtyTenants(), services.number_directory.touch, delivery_threads=threads
            )
            bodies = [body_for(round_ * args.rows + n, args.tenants) for n in range(args.rows)]
            started = time.monotonic()
            for signature, raw in bodies:
                services.ingest.ingest_meta(raw.encode(), signature)
            journaled = time.monotonic() - started
            load = os.getloadavg()[0]
            wall, cpu = time.monotonic(), time.process_time()
            passes = taken = 0
            while rows := journal.drain():
                passes += 1
                taken += rows
            wall, cpu = time.monotonic() - wall, time.process_time() - cpu
            with runtime.databases.journal_autocommit() as connection:
                left = connection.execute("SELECT count(*) FROM ingest_journal").fetchone()
            journal.close()
            print(
                f"{threads:>2} delivery threads: journaled {args.rows} webhooks in {journaled:.1f} s; "
                f"drained {taken} rows in {wall:.2f} s ({passes} passes): {taken / wall:,.0f} rows/s, "
                f"{1000 * cpu / max(taken, 1):.3f} ms of process CPU per row; {left[0] if left else '?'} left; "
                f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
