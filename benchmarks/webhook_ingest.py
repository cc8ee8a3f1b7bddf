"""Webhook ingest under load: signed Meta webhooks for 50 tenants posted to the real server.

The server runs as its own process (`comandia-server`) on a throwaway embedded PostgreSQL, or on
--database-url (default: COMANDIA_DATABASE_URL). The load comes from another process: `wrk` with a Lua script cycling
through pre-signed bodies (one message each, every wamid unique) when installed, else a bounded
pool of Python threads. Targets (RELIABILITY L1):
>= 1,000 acknowledged messages/s, p99 < 50 ms.

    .venv/bin/python benchmarks/webhook_ingest.py [--seconds 20] [--tenants 50] [--connections 32]
        [--processes 1,2,4]

`--processes` runs the same load once per count of server processes (`comandia-server --workers`,
the connection budget split between them) on the same tenants, and prints the scaling.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comandia.server.providers.signatures import meta_signature
from tests.plugins.providers import StandIn, serve_stand_in

APP_SECRET = "bench-app-secret"  # noqa: S105 - a throwaway secret of a throwaway database
PNID_BASE = 990000000000000
LUA = """
local sigs, bodies, n, i = {}, {}, 0, 0
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\\t")
    n = n + 1
    sigs[n] = line:sub(1, tab - 1)
    bodies[n] = line:sub(tab + 1)
  end
  i = tid  -- each wrk thread takes every WRK_THREADS-th body: no wamid is posted twice
end
function request()
  i = i + WRK_THREADS
  local k = (i % n) + 1
  return wrk.format("POST", "/webhooks/meta",
    {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sigs[k]}, bodies[k])
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %f %f %f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.max))
end
"""



def body_for(n: int, tenants: int) -> tuple[str, str]:
    pnid = str(PNID_BASE + n % tenants)
    sender = f"52155{n % 100000:08d}"
    raw = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
                                       "metadata": {"display_phone_number": "15550001111", "phone_number_id": pnid},
                                       "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender}],
                                       "messages": [{"from": sender, "id": f"wamid.BENCH{secrets.token_hex(12)}",
                                                     "timestamp": "1750096325", "type": "text",
                                                     "text": {"body": f"quiero {n % 9 + 1} tacos"}}]}}]}]},
                     separators=(",", ":"))
    return meta_signature(raw.encode(), APP_SECRET), raw


def inbox_counts(url: str, prefix: str) -> tuple[int, int]:
    """(stored, processed) inbox rows over every tenant database of the run."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        names = [r[0] for r in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix.replace("_", r"\_") + r"\_t%",))]
    stored = processed = 0
    for name in names:
        with psycopg.connect(make_conninfo(conninfo, dbname=name), autocommit=True) as connection:
            row = connection.execute("SELECT count(*), count(processed_at) FROM inbox").fetchone()
            if row is not None:
                stored, processed = stored + row[0], processed + row[1]
    return stored, processed


def provision(url: str, prefix: str, home: Path, tenants: int) -> None:
    from comandia.server.config import load_config
    from comandia.server.db.bootstrap import ensure_control_database
    from comandia.server.services.messaging.numbers import NewNumber
    from comandia.server.services.tenancy.tenants import NewTenant
    from comandia.server.wiring import open_runtime

    config = load_config({"home": home, "database_url": url, "db_prefix": prefix, "secret_key": "bench-key"}, env={})
    runtime = open_runtime(config)
    try:
        ensure_control_database(runtime.databases)
        runtime.servers.register_primary()
        numbers = runtime.services.numbers
        for n in range(tenants):
            tenant = runtime.tenants.create(NewTenant(name=f"Bench {n} {secrets.token_hex(2)}"), actor="bench")
            numbers.add(tenant.id, NewNumber(provider="meta", e164=f"+1555{PNID_BASE % 10**7 + n:07d}",
                                             phone_number_id=str(PNID_BASE + n), access_token="bench",  # noqa: S106
                                             app_secret=APP_SECRET), actor="bench")
    finally:
        runtime.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def python_load(base: str, seconds: float, connections: int, tenants: int) -> tuple[int, int, list[float]]:
    bodies = [body_for(n, tenants) for n in range(int(seconds * 3000))]
    latencies: list[float] = []
    failures = [0]
    cursor = iter(range(len(bodies)))
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        http = requests.Session()
        while time.monotonic() < deadline:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            sig, raw = bodies[index]
            start = time.perf_counter()
            response = http.post(f"{base}/webhooks/meta", data=raw.encode(),
                                 headers={"Content-Type": "application/json", "X-Hub-Signature-256": sig})
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                failures[0] += response.status_code != 200

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), failures[0], latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--budget", type=int, help="server connection budget (COMANDIA_CONNECTION_BUDGET)")
    parser.add_argument("--threads", type=int, help="server worker threads (COMANDIA_THREADS)")
    parser.add_argument("--processes", default="1", help="server process counts to measure, e.g. 1,2,4 (default 1)")
    parser.add_argument("--database-url", default=os.environ.get("COMANDIA_DATABASE_URL"),
                        help="PostgreSQL server to use (default: COMANDIA_DATABASE_URL, else a throwaway embedded one)")
    args = parser.parse_args()
    # The bot's replies go to the loopback stand-in, which answers as Meta does: never off the
    # machine, and no retry storm against a closed port to skew what the server is doing.
    with serve_stand_in() as provider:
        return run(args, provider)


def run(args: argparse.Namespace, provider: StandIn) -> int:
    from tests.plugins.postgres import EmbeddedCluster, drop_prefixed

    counts = [int(n) for n in args.processes.split(",")]
    cluster = None if args.database_url else EmbeddedCluster("bench")
    url = args.database_url or cluster.url  # type: ignore[union-attr]
    prefix = "cb" + secrets.token_hex(3)
    home = Path(tempfile.mkdtemp(prefix="comandia-bench-"))
    try:
        started = time.monotonic()
        provision(url, prefix, home, args.tenants)
        print(f"provisioned {args.tenants} tenants with a Meta number each in {time.monotonic() - started:.1f}s")
        rates = {}
        for processes in counts:
            print(f"\n== {processes} server process{'es' if processes > 1 else ''}")
            rates[processes] = measure(args, provider, url, prefix, home, processes)
        if len(counts) > 1:
            base = rates[counts[0]]
            print("\nscaling: " + ", ".join(f"{n} processes {rate:,.0f}/s ({rate / base:.2f} x)"
                                           for n, rate in rates.items()) + f" on {os.cpu_count()} cores")
        return 0
    finally:
        drop_prefixed(url, prefix)
        if cluster is not None:
            cluster.close()
        shutil.rmtree(home, ignore_errors=True)


def measure(args: argparse.Namespace, provider: StandIn, url: str, prefix: str, home: Path,
            processes: int) -> float:
    """One server with `processes` processes under the load; returns acknowledged messages/s."""
    port = free_port()
    env = {**os.environ, "COMANDIA_HOME": str(home), "COMANDIA_DATABASE_URL": url, "COMANDIA_DB_PREFIX": prefix,
           "COMANDIA_SECRET_KEY": "bench-key", "COMANDIA_LOG_LEVEL": "WARNING", "COMANDIA_PORT": str(port),
           "COMANDIA_WORKERS": str(processes),
           **{f"COMANDIA_WHATSAPP_{p}_BASE": provider.url for p in ("META", "360DIALOG", "TWILIO")}}
    if args.budget:
        env["COMANDIA_CONNECTION_BUDGET"] = str(args.budget)
    if args.threads:
        env["COMANDIA_THREADS"] = str(args.threads)
    server = subprocess.Popen([str(Path(sys.executable).parent / "comandia-server")], env=env,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        wrk = shutil.which("wrk")
        if wrk:
            data = home / "bodies.tsv"
            with data.open("w") as handle:
                for n in range(int(args.seconds * 4000)):
                    sig, raw = body_for(n, args.tenants)
                    handle.write(f"{sig}\t{raw}\n")
            script = home / "meta.lua"
            script.write_text(LUA.replace("WRK_THREADS", "2"))
            result = subprocess.run([wrk, "-t2", f"-c{args.connections}", f"-d{int(args.seconds)}s", "--timeout", "5s",
                                     "-s", str(script), base, "--", str(data)],
                                    capture_output=True, text=True, check=True)
            match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", result.stdout)
            assert match, result.stdout + result.stderr
            total, non200, socket_errors, micros = (int(match[i]) for i in range(1, 5))
            p50, p99, worst = (float(match[i]) / 1000 for i in range(5, 8))
            acked = total - non200 - socket_errors
            rate = acked / (micros / 1e6)
            print(f"load: wrk -t2 -c{args.connections} for {micros / 1e6:.1f}s")
        else:
            total, non200, latencies = python_load(base, args.seconds, args.connections, args.tenants)
            acked, socket_errors = total - non200, 0
            rate = acked / args.seconds
            latencies.sort()
            p50, p99, worst = (latencies[int(len(latencies) * q)] * 1000 for q in (0.5, 0.99, 0.999999))
            print(f"load: {args.connections} Python threads for {args.seconds:.0f}s")
        print(f"acknowledged: {acked} of {total} posts ({non200} non-200, {socket_errors} socket errors)")
        print(f"throughput: {rate:,.0f} acknowledged messages/s (target >= 1,000)")
        print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms (target p99 < 50 ms)")
        stored, processed = inbox_counts(url, prefix)
        print(f"meanwhile the inbox workers processed {processed} of {stored} stored messages and the sender "
              f"handed {len(provider.accepted)} replies to the provider stand-in")
        return rate
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
