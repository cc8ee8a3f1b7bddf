"""Order list/filter and order create through the real app, on a tenant with 100,000 orders.

Requests go through the whole Falcon app (middleware, token check, resources, services, SQL) in
process via falcon.testing, so the figures are server-side: no socket, no client. Seeding uses
set-based SQL (generate_series), not the ORM. Targets: list p95 < 20 ms, create p95 < 15 ms.
Each line also gives the process's CPU time per request (`time.process_time`), steadier than wall
time on a busy machine, and the machine's load average when the run ended.

    .venv/bin/python benchmarks/api.py [--orders 100000] [--requests 300] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import falcon.testing
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness import bench_runtime, percentile

from comandia.server.app import create_app
from comandia.server.jobs.summaries import SummaryRefresher
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime
from comandia.shared.schemas.catalog import ProductInput

CUSTOMERS = 5_000
SEED_SQL = [
    """INSERT INTO customers (phone, name, city)
       SELECT '+5215' || lpad(g::text, 9, '0'), 'Cliente ' || g, (ARRAY['CDMX','Lima','Quito'])[1 + g % 3]
       FROM generate_series(1, :customers) AS g""",
    """INSERT INTO orders (customer_id, customer_name, customer_phone, status, channel, subtotal,
                           delivery_fee, total, currency, created_at, updated_at, cancelled_at, cancel_reason)
       SELECT c.id, c.name, c.phone,
              (ARRAY['new','confirmed','shipped','completed','cancelled'])[1 + g % 5], 'whatsapp',
              50.00, 0, 50.00, 'MXN', now() - make_interval(mins => g), now() - make_interval(mins => g),
              CASE WHEN g % 5 = 4 THEN now() END, CASE WHEN g % 5 = 4 THEN 'seed' END
       FROM generate_series(1, :orders) AS g
       JOIN (SELECT id, name, phone, row_number() OVER (ORDER BY id) AS n FROM customers) AS c
         ON c.n = 1 + g % :customers""",
    """INSERT INTO order_items (order_id, position, sku, name, unit_price, quantity, line_total)
       SELECT id, 1, 'TACO-01', 'Taco al pastor', 25.00, 2, 50.00 FROM orders""",
    """INSERT INTO order_status_history (order_id, from_status, to_status, actor, at)
       SELECT id, NULL, 'new', 'seed', created_at FROM orders""",
]


def seed(runtime: Runtime, tenant_id: str, orders: int) -> None:
    runtime.services.catalog.create_product(
        tenant_id, ProductInput(sku="TACO-01", name="Taco al pastor", price=Decimal("25.00"))
    )
    with runtime.databases.tenant_session(tenant_id) as session:
        for statement in SEED_SQL:
            session.execute(sa.text(statement), {"customers": CUSTOMERS, "orders": orders})
        session.execute(sa.text("SELECT setval('order_number_seq', (SELECT max(number) FROM orders))"))
        session.commit()
    with runtime.databases.tenant_engines.get(tenant_id).connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))


def measure(name: str, count: int, call: Callable[[int], falcon.testing.Result], expected: int) -> list[float]:
    for index in range(min(20, count)):  # warm the pools and caches
        call(index)
    timings = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for index in range(count):
        before = time.perf_counter()
        result = call(index)
        timings.append((time.perf_counter() - before) * 1000)
        if result.status_code != expected:
            raise SystemExit(f"{name}: got {result.status_code} {result.text[:300]}")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # The CPU this process spent per request (PostgreSQL's own work not included) moves less
    # with the rest of the machine's load than wall time does.
    print(
        f"{name:<34} {count / elapsed:7.0f} req/s   p50 {statistics.median(timings):6.2f} ms"
        f"   p95 {percentile(timings, 95):6.2f} ms   p99 {percentile(timings, 99):6.2f} ms"
        f"   CPU {cpu * 1000 / count:5.2f} ms/req"
    )
    return timings


def run(runtime: Runtime, orders: int, requests: int) -> None:
    tenant = runtime.tenants.create(NewTenant(f"Bench {secrets.token_hex(2)}"), actor="bench")
    started = time.perf_counter()
    seed(runtime, tenant.id, orders)
    print(f"seeded {orders} orders in {time.perf_counter() - started:.1f} s")
    runtime.users.create("bench-manager", "bench password", "manager", tenant.id, actor="bench")
    token = runtime.services.auth.login("bench-manager", "bench password", address="bench").token
    client = falcon.testing.TestClient(create_app(runtime.services), headers={"Authorization": f"Bearer {token}"})
    base = f"/api/v1/tenants/{tenant.id}/orders"
    first = client.simulate_get(base, params={"limit": 50}).json
    today = dt.date.today()
    lists = {
        "list newest 50": {"limit": 50},
        "list status=confirmed": {"status": "confirmed"},
        "list customer": {"customer_id": 1234},
        "list text 'Cliente 4321'": {"q": "Cliente 4321"},
        "list last 7 days": {"from": (today - dt.timedelta(days=7)).isoformat(), "to": today.isoformat()},
        "list page 2 (cursor)": {"cursor": first["next_cursor"]},
        "list sort -total": {"sort": "-total"},
    }
    list_timings: dict[str, list[float]] = {}
    for name, params in lists.items():
        list_timings[name] = measure(name, requests, lambda _i, p=params: client.simulate_get(base, params=p), 200)
    body = {"customer_id": 77, "items": [{"sku": "TACO-01", "quantity": 2}], "channel": "api"}
    create = measure("create order", requests, lambda _i: client.simulate_post(base, json=body), 201)
    indexed = [t for name, times in list_timings.items() if name != "list sort -total" for t in times]
    every = [t for times in list_timings.values() for t in times]
    print(
        f"lists p95 {percentile(every, 95):.2f} ms (without sort -total: {percentile(indexed, 95):.2f} ms;"
        f" target < 20)   create p95 {percentile(create, 95):.2f} ms (target < 15)"
        f"   load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_runtime(args.database_url, "ba") as runtime:
        # As in the server: the superadmin summary is copied by its refresher, not by each order.
        refresher = SummaryRefresher(runtime.services.summaries, catch_up=lambda: None)
        refresher.start()
        try:
            run(runtime, args.orders, args.requests)
        finally:
            refresher.stop()


if __name__ == "__main__":
    main()
