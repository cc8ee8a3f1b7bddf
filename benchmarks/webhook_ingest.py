"""Webhook ingest under load: signed Meta webhooks for 50 tenants posted to the real server.

The server runs as its own process (`comandia-server`) on a throwaway embedded PostgreSQL, or on
--database-url (default: COMANDIA_DATABASE_URL). The load comes from another process: `wrk` with a Lua script cycling
through pre-signed bodies (one message each, every wamid unique) when installed, else a bounded
pool of Python threads. Targets (RELIABILITY L1):
>= 1,000 acknowledged messages/s, p99 < 50 ms.

    .venv/bin/python benchmarks/webhook_ingest.py [--seconds 20] [--tenants 50] [--connections 32]
        [--processes 1,2,4] [--server OTHER/.venv/bin/comandia-server --server .venv/bin/comandia-server]
        [--threads 8] [--server-threads N] [--pooler off,on,on:120]

The probe has 8 request threads (`--threads`), as in issue 19's measurements; the server keeps
its own default (`COMANDIA_THREADS`) unless `--server-threads` says otherwise.

`--server` (repeatable) measures each given `comandia-server` in turn on the same tenants, after
the same probes, so two builds (another checkout's and this one's) are compared in one run.
`--processes` runs the same load once per count of server processes (`comandia-server --workers`,
the connection budget split between them) on the same tenants, and prints the scaling. `1` is
the one process that does everything (`--single-process`); `N` above 1 is N request processes and a jobs process
(the drain, the bot, the sender); `1j` is one request process and a jobs process.

`--pooler` runs each of those once per entry, in turn on the same tenants: `off` connects to the
tenants' databases directly (the default), `on` through a real PgBouncer in transaction mode
(`COMANDIA_TENANT_POOLER_URL`; started as the tests start it, tests/faults/balancer.py, before
the run and stopped after it), `on:N` (or `off:N`) with a connection budget of N instead of
`--budget`: behind PgBouncer the budget bounds the server's connections to PgBouncer, while
PgBouncer keeps `pool_size` connections per tenant database, as many as the cluster's
`max_connections` leaves for the tenants beside `DIRECT_CONNECTIONS`. For those runs it also
prints how often the server logged in to PgBouncer and PgBouncer's own CPU per message.

In the same invocation the same load is posted to the bare probe (`ingest_probe.py`: Falcon on
Waitress, HMAC, JSON, one autocommit INSERT) writing to one database and to one database per
tenant under the same connection budget, and the product's figures are printed beside the
probe's with their ratio; the one-database probe runs again after the product and the ratios are
taken against the faster of its two runs (a checkpoint or another job can slow one). The machine is
shared and its load moves the absolute figures; the ratio to the probe measured minutes apart, and
the server CPU time per message (summed over the server's processes, and so over its inbox and
outbox workers too), move much less.

For the product it also watches the ingest journal during the load (every 20 ms: the newest row
journaled and the oldest still waiting) and, once the load stops, waits until the journal is
empty: it prints how long that took and each message's lag from its acknowledgement to its
tenant's inbox (p50, p99, max, to within the 20 ms of the watch). `benchmarks/journal_drain.py`
measures the drain alone. It also prints how many connections the server opened to the tenants'
databases (`pg_stat_database.sessions`): each costs PostgreSQL a backend's start, CPU that the
server's own figures do not show; and the most connections it held at once during the load (its
change listeners apart, which are outside the budget): never more than `--budget`. Behind PgBouncer
those two are PgBouncer's connections to the tenants' databases beside the server's direct ones.
"""

from __future__ import annotations

import argparse
import contextlib
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
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comandia.server.config import ServerConfig
from comandia.server.providers.signatures import meta_signature
from tests.faults.balancer import Pooler, pgbouncer
from tests.plugins.providers import StandIn, serve_stand_in

DRAIN_WAIT_SECONDS = 300.0
"""How long the journal is given to empty once the load stops."""
DIRECT_CONNECTIONS = 30
"""Connections to the cluster left beside PgBouncer's pools: the server's control and journal pools
and change listeners (about 15 with one request process and the jobs process), this script's
watch, and room for the superuser PgBouncer runs `auth_query` as."""
MIN_POOL_SIZE = 2
"""PgBouncer's least connections per tenant database: with 1 (50 tenants, max_connections 100) the
jobs process delivered nothing through it, the journal never drained (7 December, docs/scaling.md)."""
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
    raw = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "15550001111", "phone_number_id": pnid},
                                "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender}],
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": f"wamid.BENCH{secrets.token_hex(12)}",
                                        "timestamp": "1750096325",
                                        "type": "text",
                                        "text": {"body": f"quiero {n % 9 + 1} tacos"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        separators=(",", ":"),
    )
    return meta_signature(raw.encode(), APP_SECRET), raw


def inbox_counts(url: str, prefix: str) -> tuple[int, int, int]:
    """(stored, processed) inbox rows over every tenant database of the run, and the rows still in
    the ingest journal (acknowledged, not yet delivered to their tenant's inbox)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        names = [
            r[0]
            for r in connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix.replace("_", r"\_") + r"\_t%",)
            )
        ]
    stored = processed = 0
    for name in names:
        with psycopg.connect(make_conninfo(conninfo, dbname=name), autocommit=True) as connection:
            row = connection.execute("SELECT count(*), count(processed_at) FROM inbox").fetchone()
            if row is not None:
                stored, processed = stored + row[0], processed + row[1]
    with psycopg.connect(make_conninfo(conninfo, dbname=f"{prefix}_control"), autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM ingest_journal").fetchone()
    return stored, processed, row[0] if row else 0


def tenant_sessions(url: str, prefix: str) -> int:
    """Connections opened so far to the run's tenant databases (`pg_stat_database.sessions`,
    counted when each closes): what the database-per-tenant fan-out costs in connection churn."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        row = connection.execute(
            "SELECT coalesce(sum(sessions), 0) FROM pg_stat_database WHERE datname LIKE %s",
            (prefix.replace("_", r"\_") + r"\_t%",),
        ).fetchone()
    return int(row[0]) if row else 0


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
            numbers.add(
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
    finally:
        runtime.close()


def wait_ready(base: str, tries: int = 600) -> None:
    """Poll `base`/readyz until it answers 200: a starting server refuses, times out or says 503."""
    for _ in range(tries):
        try:
            if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)


def wait_started(pid: int, control: str, seconds: float = 120.0) -> None:
    """Wait until every process of the server at `pid` listens on the control database.

    `/readyz` answers as soon as one request process does: the others and the jobs process may
    still be importing (several seconds of CPU each on a loaded machine), and that start-up would
    be measured as the load's. Each process starts its change listener (`application_name`
    "comandia-changes") once it is built; the supervisor itself runs none.
    """
    import psycopg

    deadline = time.monotonic() + seconds
    with psycopg.connect(control, autocommit=True) as connection:
        while time.monotonic() < deadline:
            try:
                expected = max(1, len(psutil.Process(pid).children()))
            except psutil.NoSuchProcess:
                return
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'comandia-changes' "
                "AND datname = current_database()"
            ).fetchone()
            if row and row[0] >= expected:
                return
            time.sleep(0.1)


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
            response = http.post(
                f"{base}/webhooks/meta",
                data=raw.encode(),
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": sig},
            )
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


@dataclass
class Figures:
    """One load run against one server."""

    acked: int
    total: int
    non200: int
    socket_errors: int
    seconds: float
    p50: float
    p99: float
    worst: float
    cpu_seconds: float  # the server's processes, user + system, during the load
    jobs_cpu_seconds: float = 0.0  # of which the jobs process's (`--role jobs`), when there is one
    pooler_cpu_seconds: float = 0.0  # PgBouncer's, during the load, when the server goes through it
    drain: DrainLag | None = None  # the product's journal, watched during and after the load

    @property
    def rate(self) -> float:
        return self.acked / self.seconds

    @property
    def cpu_ms_per_message(self) -> float:
        return 1000 * self.cpu_seconds / max(self.acked, 1)

    def _jobs_share(self) -> str:
        if not self.jobs_cpu_seconds:
            return ""
        jobs = 1000 * self.jobs_cpu_seconds / max(self.acked, 1)
        return f" (requests {self.cpu_ms_per_message - jobs:.2f}, jobs {jobs:.2f})"

    def _pooler_share(self) -> str:
        if not self.pooler_cpu_seconds:
            return ""
        return f", PgBouncer {1000 * self.pooler_cpu_seconds / max(self.acked, 1):.2f} ms/msg"

    def line(self, name: str) -> str:
        return (
            f"{name:<34} {self.rate:>7,.0f} msg/s  p50 {self.p50:6.1f} ms  p99 {self.p99:6.1f} ms  "
            f"max {self.worst:6.0f} ms  CPU {self.cpu_ms_per_message:.2f} ms/msg"
            f"{self._jobs_share()}{self._pooler_share()}  "
            f"({self.acked} of {self.total} acknowledged, {self.non200} non-200, "
            f"{self.socket_errors} socket errors)" + (f"\n{'':<34} {self.drain.line()}" if self.drain else "")
        )


@dataclass
class DrainLag:
    """Watches the ingest journal from the load's start until it is empty after the load.

    Every `every` seconds it notes the newest journal id (the sequence) and the oldest id still in
    the journal: a row was acknowledged by the first watch that saw its id, and was in its tenant's
    inbox by the first watch whose oldest waiting id is above it. Rows are delivered in id order
    (one drain pass at a time takes the oldest), so that is each row's lag.
    """

    conninfo: str
    every: float = 0.02
    times: list[float] = field(default_factory=list)
    newest: list[int] = field(default_factory=list)
    delivered_below: list[int] = field(default_factory=list)
    load_ended: float = 0.0
    empty_after: float | None = None  # seconds from the load's end to an empty journal
    left: int = 0
    start_id: int = 0  # the newest journal id before the load
    peak_connections: int = 0  # the server's connections to the run's databases, its listeners left out

    # The connections held are those to the run's databases (named after the control database's
    # prefix) but this watch's own and the change listeners', which are outside the budget
    # (jobs/changes.py): their peak must stay within the appliance's whole budget.
    _SAMPLE = (
        "SELECT (SELECT min(id) FROM ingest_journal), "
        "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
        "FROM ingest_journal_id_seq), (SELECT count(*) FROM ingest_journal), "
        "(SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
        "AND application_name <> 'comandia-changes' "
        "AND starts_with(datname, left(current_database(), -length('control'))))"
    )

    def watch(self, stop: threading.Event, timeout: float) -> None:
        """Sample until `stop` is set and then the journal is empty, or `timeout` seconds after `stop`."""
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            first = connection.execute(self._SAMPLE).fetchone()
            self.start_id = first[1] if first else 0
            while True:
                row = connection.execute(self._SAMPLE).fetchone()
                now = time.monotonic()
                assert row is not None
                oldest, newest, waiting, held = row
                self.peak_connections = max(self.peak_connections, held)
                self.times.append(now)
                self.newest.append(newest)
                # Kept non-decreasing: a row committed after a younger one can lower the oldest for a moment.
                frontier = oldest if oldest is not None else newest + 1
                self.delivered_below.append(max(frontier, self.delivered_below[-1] if self.delivered_below else 0))
                if stop.is_set():
                    if not self.load_ended:
                        self.load_ended = now
                    if not waiting:
                        self.empty_after = now - self.load_ended
                        break
                    if now - self.load_ended > timeout:
                        self.left = waiting
                        break
                time.sleep(self.every)

    def lags(self) -> list[float]:
        """Each delivered row's seconds from acknowledgement to inbox, in id order."""
        lags: list[float] = []
        if not self.times:
            return lags
        for row_id in range(self.start_id + 1, self.newest[-1] + 1):
            seen = bisect_left(self.newest, row_id)
            gone = bisect_left(self.delivered_below, row_id + 1)
            if gone < len(self.times):
                lags.append(max(self.times[gone] - self.times[seen], 0.0))
        return sorted(lags)

    def line(self) -> str:
        lags = self.lags()
        if not lags:
            return "journal: nothing journaled"
        at = [lags[min(len(lags) - 1, int(q * len(lags)))] for q in (0.5, 0.99)]
        end = (
            f"empty {self.empty_after:.1f} s after the load stopped"
            if self.empty_after is not None
            else f"{self.left} rows still waiting after the wait"
        )
        return (
            f"journal: ack to inbox p50 {1000 * at[0]:,.0f} ms, p99 {1000 * at[1]:,.0f} ms, "
            f"max {1000 * lags[-1]:,.0f} ms over {len(lags)} rows; {end}; "
            f"at most {self.peak_connections} connections held (listeners apart)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--budget",
        type=int,
        default=40,
        help="connection budget of the server and of the probe (COMANDIA_CONNECTION_BUDGET)",
    )
    parser.add_argument("--threads", type=int, default=8, help="request threads of the probe")
    parser.add_argument(
        "--server-threads",
        type=int,
        help="request threads of each server process (default: the server's own, COMANDIA_THREADS)",
    )
    parser.add_argument("--processes", default="1", help="server process counts to measure, e.g. 1,1j,2,4 (default 1)")
    parser.add_argument(
        "--pooler",
        default="off",
        help="how the server reaches the tenants, measured in turn: off (directly), on (through PgBouncer), "
        "either with :N for a connection budget of N, e.g. off,on,on:120 (default off)",
    )
    parser.add_argument(
        "--server",
        action="append",
        help="comandia-server executables to measure in turn, e.g. another checkout's, to compare "
        "two versions in one run (default: this checkout's)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("COMANDIA_DATABASE_URL"),
        help="PostgreSQL server to use (default: COMANDIA_DATABASE_URL, else a throwaway embedded one)",
    )
    args = parser.parse_args()
    # The bot's replies go to the loopback stand-in, which answers as Meta does: never off the
    # machine, and no retry storm against a closed port to skew what the server is doing.
    with serve_stand_in() as provider:
        return run(args, provider)


def run(args: argparse.Namespace, provider: StandIn) -> int:
    from psycopg.conninfo import make_conninfo

    from tests.plugins.postgres import EmbeddedCluster, drop_prefixed

    counts = [n.strip() for n in args.processes.split(",")]
    if not all(re.fullmatch(r"[1-9][0-9]*j?", n) for n in counts):
        raise SystemExit(f"--processes: {args.processes!r} is not a list like 1,1j,2,4")
    routes = parse_routes(args.pooler)
    cluster = None if args.database_url else EmbeddedCluster("bench")
    url = args.database_url or cluster.url  # type: ignore[union-attr]
    prefix = "cb" + secrets.token_hex(3)
    home = Path(tempfile.mkdtemp(prefix="comandia-bench-"))
    try:
        started = time.monotonic()
        provision(url, prefix, home, args.tenants)
        probe_databases = create_probe_databases(url, prefix, args.tenants)
        settle(url)
        print(f"provisioned {args.tenants} tenants with a Meta number each in {time.monotonic() - started:.1f}s")
        print(
            f"load: wrk -t2 -c{args.connections} for {args.seconds:.0f}s each, one message per post, "
            f"server budget {args.budget} connections, {args.server_threads or 'its default'} threads "
            f"(the probe {args.threads}); load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        results: dict[str, Figures] = {}
        probe_single = measure(args, probe_command(args, url, probe_databases[:1]), {}, home)
        results["probe, 1 database"] = probe_single
        print(probe_single.line("probe, 1 database"))
        if args.tenants > 1:
            results[f"probe, {args.tenants} databases"] = measure(
                args, probe_command(args, url, probe_databases), {}, home
            )
            print(results[f"probe, {args.tenants} databases"].line(f"probe, {args.tenants} databases"))
        rates = {}
        servers = args.server or [str(Path(sys.executable).parent / "comandia-server")]
        products = [(processes, server, route) for processes in counts for server in servers for route in routes]
        names = {
            product: product_name(product[0], product[1] if len(servers) > 1 else None) + product[2].label(args.budget)
            for product in products
        }
        for product in products:
            processes, server, route = product
            name = names[product]
            control = make_conninfo(url.replace("postgresql+psycopg://", "postgresql://"), dbname=f"{prefix}_control")
            opened_before = tenant_sessions(url, prefix)
            # PgBouncer's connections to the cluster close with it, before they are counted.
            with tenant_pooler(url, prefix, args.tenants) if route.pooler else contextlib.nullcontext() as pooler:
                env = server_env(args, provider, url, prefix, home, processes, route, pooler)
                figures = measure(args, [server], env, home, DrainLag(control), pooler)
                logins = pooler.log_tail(10**9).count("login attempt") if pooler else 0
            results[name] = figures
            rates[name] = figures.rate
            print(figures.line(name))
            opened = tenant_sessions(url, prefix) - opened_before  # before inbox_counts opens one to each
            stored, processed, journaled = inbox_counts(url, prefix)
            print(
                f"  {'PgBouncer' if route.pooler else 'the server'} opened {opened:,} connections to the tenants' "
                f"databases ({opened / figures.seconds:,.0f} per second of load, the drain's after the load included)"
                + (
                    f"; the server logged in to PgBouncer {logins:,} times ({logins / figures.seconds:,.0f} a second)"
                    if route.pooler
                    else ""
                )
            )
            print(
                f"  meanwhile the inbox workers processed {processed} of {stored} messages in the tenants' inboxes "
                f"({journaled} still in the ingest journal when the server stopped) and the sender handed "
                f"{len(provider.accepted)} replies to the provider stand-in"
            )
        again = measure(args, probe_command(args, url, probe_databases[:1]), {}, home)
        results["probe, 1 database, again"] = again
        print(again.line("probe, 1 database, again"))
        # The ratios are taken against the faster of the two probe runs, so that a probe slowed by
        # something else on the machine (a checkpoint, another job) never flatters the product.
        probe_single = max(probe_single, again, key=lambda figures: figures.rate)
        print(f"\nafter: load average {os.getloadavg()[0]:.1f}")
        for name, figures in results.items():
            print(figures.line(name))
        probe_many = results.get(f"probe, {args.tenants} databases")
        for key in products:
            name = names[key]
            product = results[name]
            many = (
                f"; {product.rate / probe_many.rate:.2f} x the {args.tenants}-database probe's rate, "
                f"{product.cpu_ms_per_message / probe_many.cpu_ms_per_message:.1f} x its CPU per message"
                if probe_many
                else ""
            )
            print(
                f"{name}: {product.rate / probe_single.rate:.2f} x the 1-database probe's "
                f"rate (target >= 0.5 at 50 tenants, >= 0.7 at 3), "
                f"{product.cpu_ms_per_message / probe_single.cpu_ms_per_message:.1f} x its CPU per message{many}; "
                f"targets >= 1,500 msg/s, p99 < 50 ms"
            )
        if len(products) > 1:
            base = next(iter(rates.values()))
            print(
                "scaling: "
                + ", ".join(f"{name} {rate:,.0f}/s ({rate / base:.2f} x)" for name, rate in rates.items())
                + f" on {os.cpu_count()} cores"
            )
        return 0
    finally:
        drop_prefixed(url, prefix)
        if cluster is not None:
            cluster.close()
        shutil.rmtree(home, ignore_errors=True)


def product_name(processes: str, server: str | None = None) -> str:
    """How a `--processes` entry is printed: `1`, `1j` (one request process and a jobs process), `N`;
    with `server` (several compared), the checkout it came from."""
    count = int(processes.rstrip("j"))
    which = f" [{server}]" if server else ""
    if count == 1 and not processes.endswith("j"):
        return "COMANDIA, 1 process" + which
    return f"COMANDIA, {count} request process{'es' if count > 1 else ''} + jobs" + which


@dataclass(frozen=True)
class Route:
    """How the server reaches the tenants' databases in one run: directly or through PgBouncer, and
    its connection budget (None: `--budget`)."""

    pooler: bool
    budget: int | None = None

    def label(self, default_budget: int) -> str:
        """What is added to the run's name: nothing for the default (direct, `--budget`)."""
        budget = f"budget {self.budget}" if self.budget not in (None, default_budget) else ""
        return "".join(f", {part}" for part in ("PgBouncer" if self.pooler else "", budget) if part)


def parse_routes(text: str) -> list[Route]:
    """`--pooler`'s entries: off, on, off:N, on:N."""
    routes = []
    for entry in text.split(","):
        match = re.fullmatch(r"(off|on)(?::([1-9][0-9]*))?", entry.strip())
        if match is None:
            raise SystemExit(f"--pooler: {text!r} is not a list like off,on,on:120")
        routes.append(Route(match[1] == "on", int(match[2]) if match[2] else None))
    return routes


@contextlib.contextmanager
def tenant_pooler(url: str, prefix: str, tenants: int) -> Iterator[Pooler]:
    """PgBouncer in transaction mode in front of the cluster at `url`, its pools sized to keep every
    tenant's connections warm within the cluster's `max_connections`; stopped on exit."""
    size, limit = pool_size(url, tenants)
    with pgbouncer(url, pool_size=size, db_connections=size, users=role_secrets(url, prefix)) as pooler:
        print(
            f"  PgBouncer (transaction mode): at most {size} connections per tenant database "
            f"({tenants} x {size} of the cluster's max_connections {limit})"
        )
        yield pooler


def pool_size(url: str, tenants: int) -> tuple[int, int]:
    """PgBouncer's connections per tenant database: as many as the server's tenant pool
    (`tenant_pool_size`), or fewer, so that every tenant's fit the cluster's `max_connections` beside
    the superusers' reserve and `DIRECT_CONNECTIONS`, and never below `MIN_POOL_SIZE`; and
    `max_connections`."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        limit, reserved = (
            int(connection.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in ("max_connections", "superuser_reserved_connections")
        )
    size = min(ServerConfig.tenant_pool_size, (limit - reserved - DIRECT_CONNECTIONS) // tenants)
    if size < MIN_POOL_SIZE:
        raise SystemExit(
            f"--pooler: max_connections {limit} leaves {size} connection(s) for each of {tenants} tenants, "
            f"fewer than {MIN_POOL_SIZE} (docs/scaling.md)"
        )
    return size, limit


def role_secrets(url: str, prefix: str) -> dict[str, str]:
    """The run's roles and their SCRAM secrets, for PgBouncer's `auth_file` (see `pgbouncer`)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT usename, passwd FROM pg_shadow WHERE usename LIKE %s AND passwd IS NOT NULL",
            (prefix.replace("_", r"\_") + "%",),
        ).fetchall()
    return dict(rows)


def settle(url: str) -> None:
    """Flush what creating the databases wrote before measuring anything.

    The probe measured right after 100 databases are created runs slow (a checkpoint, autovacuum
    visiting each new database): 1,589 msg/s against 3,821/s minutes later in a run that created 6.
    This removes the checkpoint's share; the second probe run after the product (ratios against the
    faster) covers the rest (docs/scaling.md).
    """
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def create_probe_databases(url: str, prefix: str, count: int) -> list[str]:
    """One database per tenant for the probe (named after the run's prefix, so they are dropped with it)."""
    import psycopg

    names = [f"{prefix}_probe{n}" for n in range(count)]
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    return names


def probe_command(args: argparse.Namespace, url: str, databases: list[str]) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).with_name("ingest_probe.py")),
        "--port",
        "{port}",
        "--secret",
        APP_SECRET,
        "--conninfo",
        url.replace("postgresql+psycopg://", "postgresql://"),
        "--databases",
        ",".join(databases),
        "--budget",
        str(args.budget),
        "--threads",
        str(args.threads),
    ]


def server_env(
    args: argparse.Namespace,
    provider: StandIn,
    url: str,
    prefix: str,
    home: Path,
    processes: str,
    route: Route,
    pooler: Pooler | None,
) -> dict[str, str]:
    return {
        "COMANDIA_HOME": str(home),
        "COMANDIA_DATABASE_URL": url,
        "COMANDIA_DB_PREFIX": prefix,
        "COMANDIA_SECRET_KEY": "bench-key",
        "COMANDIA_LOG_LEVEL": "WARNING",
        "COMANDIA_PORT": "{port}",
        "COMANDIA_WORKERS": processes.rstrip("j"),
        "COMANDIA_JOBS_PROCESS": str(processes != "1"),
        "COMANDIA_CONNECTION_BUDGET": str(route.budget or args.budget),
        **({"COMANDIA_TENANT_POOLER_URL": pooler.url} if pooler else {}),
        **({"COMANDIA_THREADS": str(args.server_threads)} if args.server_threads else {}),
        **{f"COMANDIA_WHATSAPP_{p}_BASE": provider.url for p in ("META", "360DIALOG", "TWILIO")},
    }


def tree_cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU seconds of a process and its live descendants, and of those the jobs process's."""
    total = jobs = 0.0
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return total, jobs
    for process in processes:
        try:
            times = process.cpu_times()
            seconds = times.user + times.system
            total += seconds
            if "jobs" in process.cmdline()[-1:]:
                jobs += seconds
        except psutil.NoSuchProcess:
            continue
    return total, jobs


def pooler_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of PgBouncer (the process `pid`), 0 without one."""
    return tree_cpu_seconds(pid)[0] if pid else 0.0


def measure(
    args: argparse.Namespace,
    command: list[str],
    env: dict[str, str],
    home: Path,
    drain: DrainLag | None = None,
    pooler: Pooler | None = None,
) -> Figures:
    """Start `command` ("{port}" filled in), post the load to it, stop it; its figures (with `drain`,
    the journal's, after waiting for it to empty; with `pooler`, PgBouncer's CPU)."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    env = {**os.environ, **{k: v.replace("{port}", str(port)) for k, v in env.items()}}
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base)
        if drain is not None:  # the product: every one of its processes started, not only the first to answer
            wait_started(server.pid, drain.conninfo)
        time.sleep(0.5)  # the workers' first sweep is not the load's
        load_over = threading.Event()
        watcher = (
            threading.Thread(target=drain.watch, args=(load_over, DRAIN_WAIT_SECONDS)) if drain is not None else None
        )
        if watcher is not None:
            watcher.start()
        try:
            figures = _load(args, base, server.pid, home, pooler.pid if pooler else None)
        finally:
            load_over.set()
            if watcher is not None:
                watcher.join()
        figures.drain = drain
        return figures
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def _load(args: argparse.Namespace, base: str, pid: int, home: Path, pooler_pid: int | None) -> Figures:
    """Post the load to the server at `base` (process `pid`; its PgBouncer `pooler_pid`); its figures."""
    cpu_before = tree_cpu_seconds(pid)
    pooler_before = pooler_cpu_seconds(pooler_pid)
    wrk = shutil.which("wrk")
    if wrk:
        data = home / "bodies.tsv"
        with data.open("w") as handle:
            for n in range(int(args.seconds * 4000)):
                sig, raw = body_for(n, args.tenants)
                handle.write(f"{sig}\t{raw}\n")
        script = home / "meta.lua"
        script.write_text(LUA.replace("WRK_THREADS", "2"))
        cpu_before = tree_cpu_seconds(pid)
        pooler_before = pooler_cpu_seconds(pooler_pid)
        result = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{args.connections}",
                f"-d{int(args.seconds)}s",
                "--timeout",
                "5s",
                "-s",
                str(script),
                base,
                "--",
                str(data),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        cpu, jobs_cpu = (after - before for after, before in zip(tree_cpu_seconds(pid), cpu_before, strict=True))
        pooler_cpu = pooler_cpu_seconds(pooler_pid) - pooler_before
        match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", result.stdout)
        assert match, result.stdout + result.stderr
        total, non200, socket_errors, micros = (int(match[i]) for i in range(1, 5))
        p50, p99, worst = (float(match[i]) / 1000 for i in range(5, 8))
        return Figures(
            total - non200 - socket_errors,
            total,
            non200,
            socket_errors,
            micros / 1e6,
            p50,
            p99,
            worst,
            cpu,
            jobs_cpu,
            pooler_cpu,
        )
    total, non200, latencies = python_load(base, args.seconds, args.connections, args.tenants)
    cpu, jobs_cpu = (after - before for after, before in zip(tree_cpu_seconds(pid), cpu_before, strict=True))
    pooler_cpu = pooler_cpu_seconds(pooler_pid) - pooler_before
    latencies.sort()
    p50, p99, worst = (latencies[int(len(latencies) * q)] * 1000 for q in (0.5, 0.99, 0.999999))
    return Figures(total - non200, total, non200, 0, args.seconds, p50, p99, worst, cpu, jobs_cpu, pooler_cpu)


if __name__ == "__main__":
    sys.exit(main())
