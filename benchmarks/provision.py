"""Provision N tenants (default 200) and touch each once; print ms per tenant, connections, RSS.

Runs on a throwaway embedded PostgreSQL unless --database-url is given (then it uses a random
prefix there and drops what it made). Targets: provisioning p95 < 1 s; at most 40 server
connections held by COMANDIA whatever the number of tenants.

    .venv/bin/python benchmarks/provision.py [--tenants 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import psutil
import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness import bench_runtime, percentile

from comandia.server.services.tenancy.tenants import NewTenant


class ConnectionSampler(threading.Thread):
    """Counts the server's connections to this run's databases every 20 ms."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__(daemon=True)
        self.conninfo = url.replace("+psycopg", "")
        self.prefix = prefix
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            while not self.done.is_set():
                row = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE %s AND pid <> pg_backend_pid()",
                    (self.prefix + "%",),
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)
                time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_runtime(args.database_url, "bp", log_level="INFO") as runtime:
        config = runtime.config
        sampler = ConnectionSampler(config.database_url or "", config.db_prefix)
        sampler.start()
        try:
            timings, ids = [], []
            for i in range(args.tenants):
                started = time.perf_counter()
                ids.append(runtime.tenants.create(NewTenant(f"Negocio {i}"), actor="bench").id)
                timings.append((time.perf_counter() - started) * 1000)
            touch_started = time.perf_counter()
            for tenant_id in ids:
                with runtime.databases.tenant_session(tenant_id) as session:
                    session.execute(sa.text("SELECT tenant_id FROM tenant_info")).one()
            touch_seconds = time.perf_counter() - touch_started
        finally:
            sampler.done.set()
            sampler.join()
        rss_mb = psutil.Process().memory_info().rss / 2**20
        print(f"tenants provisioned:          {args.tenants}")
        print(
            f"provision ms/tenant:          p50 {statistics.median(timings):.0f}  p95 {percentile(timings, 95):.0f}"
            f"  max {max(timings):.0f}  (first, incl. template: {timings[0]:.0f})"
        )
        print(f"touch each tenant once:       {touch_seconds * 1000 / len(ids):.1f} ms/tenant")
        print(
            f"peak server connections:      {sampler.peak} (sampled)  budget peak {runtime.databases.budget.peak}"
            f"  limit {config.connection_budget}"
        )
        print(f"engines cached after touch:   {len(runtime.databases.tenant_engines)}")
        print(f"process RSS after touching:   {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
