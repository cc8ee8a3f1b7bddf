"""What an idle appliance costs: the jobs process's CPU and the connections it opens, with no traffic.

Provisions `--tenants` tenants with a Meta number each on a throwaway embedded PostgreSQL (or
--database-url), starts `comandia-server` with one request process and the jobs process, lets
it settle (`--settle`, past the first sweeps), then for `--seconds` measures the jobs process's
CPU and the connections opened to the run's databases (`pg_stat_database.sessions`). Each
`--server` (a `comandia-server` executable, e.g. another checkout's) is measured in turn on the
same tenants, so two versions are compared in one run.

    .venv/bin/python benchmarks/idle_jobs.py [--tenants 50] [--seconds 30] [--server PATH ...]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webhook_ingest import free_port, provision, tree_cpu_seconds, wait_ready


def sessions(url: str, prefix: str) -> int:
    """Connections opened so far to the run's databases."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        row = connection.execute(
            "SELECT coalesce(sum(sessions), 0) FROM pg_stat_database WHERE datname LIKE %s", (prefix + "%",)
        ).fetchone()
    return int(row[0]) if row else 0


def measure(server: str, url: str, prefix: str, home: Path, args: argparse.Namespace) -> str:
    port = free_port()
    env = {
        **os.environ,
        "COMANDIA_HOME": str(home),
        "COMANDIA_DATABASE_URL": url,
        "COMANDIA_DB_PREFIX": prefix,
        "COMANDIA_SECRET_KEY": "bench-key",
        "COMANDIA_LOG_LEVEL": "WARNING",
        "COMANDIA_PORT": str(port),
        "COMANDIA_WORKERS": "1",
        "COMANDIA_JOBS_PROCESS": "true",
    }
    process = subprocess.Popen([server], env=env, start_new_session=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}")
        time.sleep(args.settle)
        load = os.getloadavg()[0]
        before, opened = tree_cpu_seconds(process.pid), sessions(url, prefix)
        time.sleep(args.seconds)
        after, opened = tree_cpu_seconds(process.pid), sessions(url, prefix) - opened
        total, jobs = (a - b for a, b in zip(after, before, strict=True))
        return (
            f"{server}: jobs process {100 * jobs / args.seconds:.1f} % of a core, all processes "
            f"{100 * total / args.seconds:.1f} %, {opened / args.seconds:.1f} connections opened a second "
            f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)"
        )
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--settle", type=float, default=10, help="seconds after ready before measuring")
    parser.add_argument("--server", action="append", help="comandia-server executables to compare (default: ours)")
    parser.add_argument("--database-url", default=os.environ.get("COMANDIA_DATABASE_URL"))
    args = parser.parse_args()
    from tests.plugins.postgres import EmbeddedCluster, drop_prefixed

    servers = args.server or [str(Path(sys.executable).parent / "comandia-server")]
    cluster = None if args.database_url else EmbeddedCluster("idle")
    url = args.database_url or cluster.url  # type: ignore[union-attr]
    prefix = "ci" + secrets.token_hex(3)
    home = Path(tempfile.mkdtemp(prefix="comandia-idle-"))
    try:
        provision(url, prefix, home, args.tenants)
        print(f"{args.tenants} idle tenants, {args.seconds:.0f} s each, {os.cpu_count()} cores")
        for server in servers:
            print(measure(server, url, prefix, home, args), flush=True)
        return 0
    finally:
        drop_prefixed(url, prefix)
        if cluster is not None:
            cluster.close()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
