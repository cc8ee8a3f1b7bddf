"""A throwaway COMANDIA appliance for the fault tests: killable cluster, tenants, the real server.

`appliance()` starts a `KillableCluster`, provisions `shops` tenants (a Meta number and a small
menu each) with the real services, and runs `comandia-server` as its own process on a fixed
port (so it can be SIGKILLed and restarted behind the same URL), with every provider pointed at
the loopback stand-in. `check_invariants` then reads each tenant's database directly, as the
superuser, and lists every broken promise of RELIABILITY R1. Everything is torn down on exit:
the server, the cluster and its files.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import requests

from tests.faults.cluster import KillableCluster, free_port, killable_cluster
from tests.faults.load import Plan, Shop
from tests.plugins.leftovers import forget_process, record_process

PREFIX = "cf"
SECRET_KEY = "fault-tests-key"  # a throwaway cluster's key
APP_SECRET = "fault-tests-app-secret"  # noqa: S105 - signs the test load only
PNID_BASE = 770000000000000
READY_TIMEOUT_SECONDS = 60.0


@dataclass
class Tenant:
    id: str
    database: str
    shop: Shop


@dataclass
class Appliance:
    """The cluster, the tenants and the server process of one fault test."""

    cluster: KillableCluster
    home: Path
    port: int
    env: dict[str, str]
    tenants: list[Tenant]
    server_args: tuple[str, ...] = ()
    server: subprocess.Popen[bytes] | None = None
    server_log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.server_log = self.home / "server.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def shops(self) -> list[Shop]:
        return [t.shop for t in self.tenants]

    def start_server(self) -> float:
        """Start comandia-server; returns the seconds until /readyz answered 200."""
        assert self.server is None, "already running"
        started = time.monotonic()
        with self.server_log.open("ab") as log:
            self.server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "comandia.server.cli",
                    "--port",
                    str(self.port),
                    "--home",
                    str(self.home),
                    *self.server_args,
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.marker = record_process(self.server.pid)
        while time.monotonic() - started < READY_TIMEOUT_SECONDS:
            if self.server.poll() is not None:
                raise RuntimeError(f"comandia-server exited {self.server.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.05)
        raise TimeoutError(f"comandia-server not ready after {READY_TIMEOUT_SECONDS:.0f}s:\n{self.log_tail()}")

    def kill_server(self) -> None:
        """SIGKILL the server's process group (a crash: no shutdown code runs) and reap it."""
        assert self.server is not None, "not running"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait()
        self.server = None
        forget_process(self.marker)

    def stop_server(self) -> None:
        """SIGTERM (the clean stop), SIGKILL after 30 s."""
        if self.server is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill_server()
            return
        self.server = None
        forget_process(self.marker)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.server_log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def tenant_query(self, tenant: Tenant, sql: str) -> list[tuple[Any, ...]]:
        """Rows of `sql` in the tenant's database, read as the cluster's superuser."""
        conninfo = f"postgresql://postgres@127.0.0.1:{self.cluster.port}/{tenant.database}"
        with psycopg.connect(conninfo, connect_timeout=5) as connection:
            return list(connection.execute(sql).fetchall())  # type: ignore[arg-type]

    def pending(self) -> set[str]:
        """wamids stored in some inbox and not yet processed."""
        return {
            row[0]
            for t in self.tenants
            for row in self.tenant_query(t, "SELECT provider_message_id FROM inbox WHERE processed_at IS NULL")
        }

    def journaled(self) -> int:
        """Rows acknowledged but not yet delivered to their tenant's inbox (the ingest journal)."""
        conninfo = f"postgresql://postgres@127.0.0.1:{self.cluster.port}/{PREFIX}_control"
        with psycopg.connect(conninfo, connect_timeout=5) as connection:
            row = connection.execute("SELECT count(*) FROM ingest_journal").fetchone()
        return int(row[0]) if row else 0

    def wait_processed(self, timeout: float) -> float:
        """Block until the journal is delivered and no inbox row is pending; returns the seconds it
        took (raises on timeout)."""
        started = time.monotonic()
        while (pending := self.pending()) or self.journaled():
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{len(pending)} inbox rows still pending after {timeout:.0f}s:\n{self.log_tail()}")
            time.sleep(0.2)
        return time.monotonic() - started


def provision(cluster: KillableCluster, home: Path, shops: int) -> list[Tenant]:
    """Control database, `shops` tenants each with a Meta number and a two-product menu."""
    from comandia.server.config import load_config
    from comandia.server.db.bootstrap import ensure_control_database
    from comandia.server.services.messaging.numbers import NewNumber
    from comandia.server.services.tenancy.tenants import NewTenant
    from comandia.server.wiring import open_runtime
    from comandia.shared.domain.ids import tenant_database_name
    from comandia.shared.schemas.catalog import CategoryInput, ProductInput

    config = load_config(
        {"home": home, "database_url": cluster.url, "db_prefix": PREFIX, "secret_key": SECRET_KEY}, env={}
    )
    runtime = open_runtime(config)
    tenants = []
    try:
        ensure_control_database(runtime.databases)
        runtime.servers.register_primary()
        numbers = runtime.services.numbers
        catalog = runtime.services.catalog
        for n in range(shops):
            tenant = runtime.tenants.create(NewTenant(name=f"Fault shop {n}"), actor="fault-tests")
            shop = Shop(str(PNID_BASE + n), APP_SECRET)
            number = NewNumber(
                provider="meta",
                e164=f"+1555770{n:04d}",
                phone_number_id=shop.phone_number_id,
                access_token="fault-tests",
                app_secret=APP_SECRET,
            )  # noqa: S106 - the stand-in's
            numbers.add(tenant.id, number, actor="fault-tests")
            pizzas = catalog.create_category(tenant.id, CategoryInput("Pizzas", 1)).id
            drinks = catalog.create_category(tenant.id, CategoryInput("Bebidas", 2)).id
            catalog.create_product(
                tenant.id, ProductInput(sku="PZ-MAR", name="Pizza margarita", price=Decimal("120"), category_id=pizzas)
            )
            catalog.create_product(
                tenant.id, ProductInput(sku="COCA", name="Coca-Cola", price=Decimal("25"), category_id=drinks)
            )
            tenants.append(Tenant(tenant.id, tenant_database_name(PREFIX, tenant.id), shop))
    finally:
        runtime.close()
    return tenants


@contextlib.contextmanager
def appliance(label: str, provider_base: str, shops: int = 3, server_args: tuple[str, ...] = ()) -> Iterator[Appliance]:
    """A provisioned appliance with its server running; all of it gone on exit."""
    home = Path(tempfile.mkdtemp(prefix=f"comandia-{label}-home-"))
    try:
        with killable_cluster(label) as cluster:
            tenants = provision(cluster, home, shops)
            env = {k: v for k, v in os.environ.items() if not k.startswith("COMANDIA_")}
            env |= {
                "COMANDIA_DATABASE_URL": cluster.url,
                "COMANDIA_DB_PREFIX": PREFIX,
                "COMANDIA_SECRET_KEY": SECRET_KEY,
                "COMANDIA_ADMIN_PASSWORD": "fault tests admin",
                # One line per request would be 30,000 lines; warnings and errors still show.
                "COMANDIA_LOG_LEVEL": "WARNING",
                **{f"COMANDIA_WHATSAPP_{p}_BASE": provider_base for p in ("META", "360DIALOG", "TWILIO")},
            }
            box = Appliance(cluster, home, free_port(), env, tenants, server_args)
            try:
                box.start_server()
                yield box
            finally:
                box.stop_server()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def check_invariants(box: Appliance, plan: Plan, acked: set[str]) -> list[str]:
    """Every broken promise of R1, as sentences (empty when all hold)."""
    problems: list[str] = []
    stored: list[str] = []
    for tenant in box.tenants:
        rows = box.tenant_query(tenant, "SELECT provider_message_id, processed_at IS NOT NULL, error FROM inbox")
        stored += [r[0] for r in rows]
        unprocessed = [r[0] for r in rows if not r[1]]
        failed = [(r[0], r[2]) for r in rows if r[2]]
        if unprocessed:
            problems.append(f"{tenant.id}: {len(unprocessed)} inbox rows never processed, e.g. {unprocessed[:3]}")
        if failed:
            problems.append(f"{tenant.id}: {len(failed)} inbox rows failed, e.g. {failed[:3]}")
        problems += _reply_problems(box, tenant)
        problems += _order_problems(box, tenant, plan.order_customers)
    counts: dict[str, int] = {}
    for wamid in stored:
        counts[wamid] = counts.get(wamid, 0) + 1
    twice = [w for w, c in counts.items() if c > 1]
    lost = acked - counts.keys()
    strangers = counts.keys() - plan.wamids
    if twice:
        problems.append(f"{len(twice)} wamids stored more than once, e.g. {twice[:3]}")
    if lost:
        problems.append(f"{len(lost)} acknowledged wamids lost, e.g. {sorted(lost)[:3]}")
    if strangers:
        problems.append(f"{len(strangers)} stored wamids were never sent, e.g. {sorted(strangers)[:3]}")
    if plan.wamids - acked:
        problems.append(f"{len(plan.wamids - acked)} wamids never acknowledged")
    return problems


def _reply_problems(box: Appliance, tenant: Tenant) -> list[str]:
    """Each inbound message has exactly one reply set: parts 0..n-1 once each, nothing unanswered."""
    problems = []
    broken = box.tenant_query(
        tenant,
        """
        SELECT in_reply_to, count(*), count(DISTINCT part), max(part) FROM outbox
        WHERE in_reply_to IS NOT NULL GROUP BY in_reply_to
        HAVING count(*) <> count(DISTINCT part) OR max(part) <> count(*) - 1""",
    )
    if broken:
        problems.append(f"{tenant.id}: {len(broken)} inbound messages with more than one reply set, e.g. {broken[:3]}")
    unanswered = box.tenant_query(
        tenant,
        """
        SELECT i.provider_message_id FROM inbox i
        WHERE i.processed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.in_reply_to = i.id)""",
    )
    if unanswered:
        problems.append(f"{tenant.id}: {len(unanswered)} processed messages got no reply, e.g. {unanswered[:3]}")
    return problems


def _order_problems(box: Appliance, tenant: Tenant, expected: int) -> list[str]:
    """One order per customer who confirmed, none twice."""
    per_customer = box.tenant_query(tenant, "SELECT customer_id, count(*) FROM orders GROUP BY customer_id")
    problems = []
    doubled = [row for row in per_customer if row[1] > 1]
    if doubled:
        problems.append(f"{tenant.id}: {len(doubled)} customers with more than one order, e.g. {doubled[:3]}")
    if len(per_customer) != expected:
        problems.append(f"{tenant.id}: {len(per_customer)} customers ordered, expected {expected}")
    return problems
