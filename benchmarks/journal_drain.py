"""The ingest journal's drain alone: a backlog of journaled webhooks, and how fast it empties.

Posts `--rows` signed Meta webhooks (one message each, spread over `--tenants` tenants) through
the real ingest path with no drain running, so they wait in `ingest_journal` as a burst leaves
them when the drain falls behind; then runs the drain (`IngestJournal.drain`, as the jobs process
does) until the journal is empty and prints rows per second and the process CPU per row. The
drain has the jobs process's share of the budget (`--budget`, 20: 40 split between one request
process and the jobs process) and nothing else competes for it, so this is the drain's ceiling on
this machine; `webhook_ingest.py` prints the lag (acknowledgement to inbox) under a real load.

    .venv/bin/python benchmarks/journal_drain.py [--rows 20000] [--tenants 50] [--budget 20]
        [--threads 2,10] [--pass-rows 2000] [--busy 0,3] [--switch-ms 5] [--database-url URL]

Each `--threads` count (and each `--busy` count with it) gets a backlog of its own, drained by a
journal with that many delivery threads, so the counts are compared in one run at one load.

In the jobs process the drain shares the interpreter with the bot, whose turns are CPU-bound:
`--busy N` runs N Python threads that only compute beside the drain, as the inbox workers do
under load, and `--switch-ms` sets how long a thread may hold the interpreter while another waits
(`sys.setswitchinterval`; Python's default 5 ms). `--pass-rows` bounds a pass as the load leaves
it (a pass over 50 tenants at 500-800 msg/s takes a few hundred rows, not the 2,000 of a backlog),
and the median pass time is printed: a message waits about one and a half passes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import bench_runtime
from webhook_ingest import APP_SECRET, PNID_BASE, body_for

from comandia.server.services.messaging.journal import DRAIN_BATCH, IngestJournal
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
    parser.add_argument("--pass-rows", type=int, default=DRAIN_BATCH, help="rows one pass takes at most")
    parser.add_argument(
        "--busy", default="0", help="CPU-bound threads beside the drain to compare, one round each (the bot's turns)"
    )
    parser.add_argument("--switch-ms", type=float, default=5.0, help="the interpreter's switch interval (ms)")
    parser.add_argument("--database-url", default=os.environ.get("COMANDIA_DATABASE_URL"))
    args = parser.parse_args()
    sys.setswitchinterval(args.switch_ms / 1000)
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
        rounds = [(int(t), int(b)) for t in args.threads.split(",") for b in args.busy.split(",")]
        for round_, (threads, busy) in enumerate(rounds):
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
            taken = 0
            times: list[float] = []
            with busy_threads(busy):
                while True:
                    started = time.monotonic()
                    rows = journal.drain(args.pass_rows)
                    if not rows:
                        break
                    times.append(time.monotonic() - started)
                    taken += rows
            wall, cpu = time.monotonic() - wall, time.process_time() - cpu
            passes = len(times)
            with runtime.databases.journal_autocommit() as connection:
                left = connection.execute("SELECT count(*) FROM ingest_journal").fetchone()
            journal.close()
            print(
                f"{threads:>2} delivery threads, {busy} busy threads, switch {args.switch_ms:g} ms: journaled "
                f"{args.rows} webhooks in {journaled:.1f} s; drained {taken} rows in {wall:.2f} s ({passes} passes, "
                f"median {1000 * statistics.median(times or [0]):,.0f} ms): {taken / wall:,.0f} rows/s, "
                f"{1000 * cpu / max(taken, 1):.3f} ms of process CPU per row (the busy threads' included); "
                f"{left[0] if left else '?'} left; "
                f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
            )
    return 0


@contextmanager
def busy_threads(count: int) -> Iterator[None]:
    """`count` threads that only compute while inside, as the bot's turns do in the jobs process."""
    stop = threading.Event()

    def compute() -> None:
        total = 0
        while not stop.is_set():
            total += sum(n * n for n in range(1000))

    threads = [threading.Thread(target=compute, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join()


if __name__ == "__main__":
    sys.exit(main())
