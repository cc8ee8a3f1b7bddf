"""KPI dashboards at scale: a tenant with N orders (default 1,000,000, 3 lines each) over two years.

Customers are skewed like real ones (customer = N * u^2 for a uniform u: a few order often, most
rarely). Seeds with generate_series (INSERT ... SELECT, as the superuser, triggers off), builds the rollups
with `KpiService.rebuild`, then prints the full dashboard's latency p50/p95 for 7 days, 90 days and
2 years next to the same KPIs in plain SQL over the raw tables; the superadmin dashboard over T
tenants (default 500: registry rows and `tenant_daily` rows are inserted directly, not
provisioned); and the time and peak RSS of exporting the orders (with items) to XLSX.
Targets: dashboard p95 <= 100 ms; superadmin p95 <= 300 ms; export peak memory < 300 MB.

    .venv/bin/python benchmarks/kpi.py [--orders 1000000] [--tenants 500] [--database-url URL] [--no-export]
"""

# SQL text is kept one statement part per line, which reads better than wrapping at 110.
# ruff: noqa: E501

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import bench_runtime

from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime

START = dt.date(2024, 12, 1)
TODAY = START + dt.timedelta(days=729)
SEED = """
SET session_replication_role = replica;  -- no triggers: the generated numbers agree by construction
INSERT INTO categories (name) SELECT 'Cat ' || g FROM generate_series(1, 10) g;
INSERT INTO products (sku, name, category_id, price, currency)
  SELECT 'SKU' || g, 'Producto ' || g, 1 + g % 10, 10 + g % 50, 'MXN' FROM generate_series(1, 200) g;
INSERT INTO customers (phone, name, city, region)
  SELECT '+5255' || lpad(g::text, 8, '0'), 'Cliente ' || g, 'Ciudad ' || g % 30, 'Region ' || g % 10
  FROM generate_series(1, {customers}) g;
INSERT INTO orders (id, number, customer_id, customer_name, customer_phone, status, channel, delivery_city,
                    delivery_region, subtotal, delivery_fee, total, currency, created_at, updated_at,
                    cancelled_at, cancel_reason)
  SELECT g, g, c, 'Cliente ' || c, '+5255' || lpad(c::text, 8, '0'),
         CASE WHEN g % 20 = 0 THEN 'cancelled' WHEN g % 7 = 0 THEN 'new' ELSE 'completed' END, 'whatsapp',
         'Ciudad ' || c % 30, 'Region ' || c % 10, s, 0, s, 'MXN', at, at,
         CASE WHEN g % 20 = 0 THEN at END, CASE WHEN g % 20 = 0 THEN 'bench' END
  FROM (SELECT g, 1 + floor({customers} * power(((g::bigint * 2654435761) % 1000003) / 1000003.0, 2))::int AS c,
               timestamptz '{start} 06:00+00' + g * (interval '730 days' / {orders}) AS at,
               (SELECT sum((10 + ((g * 7 + k) % 200 + 1) % 50) * (1 + (g + k) % 3))
                FROM generate_series(1, 3) k) AS s
        FROM generate_series(1, {orders}) g) o;
INSERT INTO order_items (order_id, position, product_id, sku, name, unit_price, quantity, line_total)
  SELECT g, k, p, 'SKU' || p, 'Producto ' || p, 10 + p % 50, 1 + (g + k) % 3, (10 + p % 50) * (1 + (g + k) % 3)
  FROM generate_series(1, {orders}) g, generate_series(1, 3) k, LATERAL (SELECT (g * 7 + k) % 200 + 1 AS p) x;
SELECT setval(pg_get_serial_sequence('orders', 'id'), {orders});
SELECT setval('order_number_seq', {orders});
ANALYZE;
"""
RAW = [  # the dashboard's KPIs straight from the raw tables, for comparison
    "SELECT status, count(*), sum(total) FROM orders WHERE created_at >= :s AND created_at < :e GROUP BY 1",
    "SELECT date_trunc('day', created_at AT TIME ZONE 'America/Mexico_City'), count(*), sum(total) FROM orders "
    "WHERE created_at >= :s AND created_at < :e AND status <> 'cancelled' GROUP BY 1",
    "SELECT i.sku, sum(i.quantity), sum(i.line_total) r FROM order_items i JOIN orders o ON o.id = i.order_id "
    "WHERE o.created_at >= :s AND o.created_at < :e AND o.status <> 'cancelled' GROUP BY 1 ORDER BY r DESC LIMIT 10",
    "SELECT customer_id, count(*), sum(total) r FROM orders WHERE created_at >= :s AND created_at < :e "
    "AND status <> 'cancelled' GROUP BY 1 ORDER BY r DESC LIMIT 10",
    "SELECT delivery_city, delivery_region, count(*), sum(total) FROM orders WHERE created_at >= :s "
    "AND created_at < :e AND status <> 'cancelled' GROUP BY 1, 2",
    "SELECT count(DISTINCT customer_id) FILTER (WHERE NOT EXISTS (SELECT 1 FROM orders p WHERE "
    "p.customer_id = o.customer_id AND p.created_at < :s AND p.status <> 'cancelled')) FROM orders o "
    "WHERE created_at >= :s AND created_at < :e AND status <> 'cancelled'",
]
RANGES = {"7 days": 7, "90 days": 90, "2 years": 730}


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds over `runs` calls after one warm-up."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


class PeakRss(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.process, self.peak, self.done = psutil.Process(), 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args()
    with bench_runtime(args.database_url, "bk") as runtime:
        run(runtime, args)


def run(runtime: Runtime, args: argparse.Namespace) -> None:
    tenant = runtime.tenants.create(NewTenant("Bench"), actor="bench")
    kpis = runtime.services.kpis
    admin_url = runtime.databases.primary_url.set(database=tenant.database)
    conninfo = admin_url.render_as_string(hide_password=False).replace("+psycopg", "")
    started = time.perf_counter()
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for statement in SEED.format(orders=args.orders, customers=args.customers, start=START).split(";\n"):
            if statement.strip():
                connection.execute(statement)
    print(f"seeded {args.orders:,} orders / {3 * args.orders:,} items in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    kpis.rebuild(tenant.id)
    print(f"rollups rebuilt in {time.perf_counter() - started:.1f} s")
    engine = sa.create_engine(admin_url)
    print(f"\ntenant dashboard ({args.runs} runs; current + previous period, every KPI)")
    print(f"{'range':<10}{'rollups p50':>14}{'p95':>10}{'raw SQL p50':>14}{'p95':>10}")
    for label, days in RANGES.items():
        first = TODAY - dt.timedelta(days=days - 1)
        p50, p95 = timed(lambda f=first: kpis.tenant_report(tenant.id, f, TODAY, "day"), args.runs)
        s = dt.datetime.combine(first, dt.time(6), dt.UTC)
        bounds = {"s": s, "e": s + dt.timedelta(days=days)}

        def raw(bounds: dict[str, dt.datetime] = bounds) -> None:
            with engine.connect() as c:
                for sql in RAW:
                    c.execute(sa.text(sql), bounds).all()

        r50, r95 = timed(raw, 3)
        print(f"{label:<10}{p50:>11.1f} ms{p95:>7.1f} ms{r50:>11.1f} ms{r95:>7.1f} ms")
    engine.dispose()
    seed_admin(runtime, tenant.id, args.tenants)
    print(f"\nsuperadmin dashboard over {args.tenants} tenants (registry + tenant_daily rows inserted directly)")
    for label, days in RANGES.items():
        first = TODAY - dt.timedelta(days=days - 1)
        p50, p95 = timed(lambda f=first: kpis.admin.report(f, TODAY, "-revenue"), args.runs)
        print(f"{label:<10}{p50:>11.1f} ms{p95:>7.1f} ms")
    if not args.no_export:
        export_xlsx(runtime, tenant.id)


def seed_admin(runtime: Runtime, tenant_id: str, count: int) -> None:
    # The fake tenants' ids start with 'tb', as a real tenant id may too: the bench's own is left out.
    databases = runtime.databases
    with databases.control_session() as session:
        session.execute(
            sa.text(
                "INSERT INTO tenants (id, name, state, timezone, currency, locale, server_id, database_name, role_name,"
                " role_password_sealed) SELECT 'tb' || lpad(g::text, 11, '0'), 'Bench ' || g, 'active',"
                " 'America/Mexico_City', 'MXN', 'es', (SELECT server_id FROM tenants WHERE id = :t),"
                " 'benchdb' || g, 'benchrole' || g, 'x' FROM generate_series(2, :n) g"
            ),
            {"t": tenant_id, "n": count},
        )
        session.execute(
            sa.text(
                "INSERT INTO tenant_daily (tenant_id, day, orders, cancelled, revenue, customers)"
                " SELECT 'tb' || lpad(g::text, 11, '0'), d::date, 50 + g % 40, g % 3, (50 + g % 40) * 123.45, 30 + g % 20"
                " FROM generate_series(2, :n) g, generate_series(:a, :b, interval '1 day') d"
            ),
            {"n": count, "a": START, "b": TODAY},
        )
        session.execute(
            sa.text(
                "INSERT INTO tenant_monthly (tenant_id, day, orders, cancelled, revenue, customers)"
                " SELECT tenant_id, date_trunc('month', day)::date, sum(orders), sum(cancelled), sum(revenue),"
                " sum(customers) FROM tenant_daily WHERE tenant_id LIKE 'tb%' AND tenant_id <> :t GROUP BY 1, 2"
            ),
            {"t": tenant_id},
        )
        session.execute(
            sa.text(
                "INSERT INTO tenant_sizes (tenant_id, db_bytes) SELECT id, 10000000 FROM tenants"
                " WHERE id LIKE 'tb%' AND id <> :t"
            ),
            {"t": tenant_id},
        )
        session.execute(sa.text("ANALYZE tenant_daily"))
        session.execute(sa.text("ANALYZE tenant_monthly"))
        session.commit()


def export_xlsx(runtime: Runtime, tenant_id: str) -> None:
    exports = runtime.services.exports
    out = Path(tempfile.mkdtemp()) / "orders.xlsx"
    sampler = PeakRss()
    before = psutil.Process().memory_info().rss
    sampler.start()
    started = time.perf_counter()
    export = exports.tenant_export(tenant_id, "orders", "xlsx", START, TODAY)
    with open(out, "wb") as file:
        for chunk in export.chunks:
            file.write(chunk)
    elapsed = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    print(
        f"\nexport orders + items to XLSX: {elapsed:.1f} s, {out.stat().st_size / 1e6:.0f} MB file, "
        f"peak RSS {sampler.peak / 1e6:.0f} MB (process RSS before: {before / 1e6:.0f} MB)"
    )
    os.unlink(out)


if __name__ == "__main__":
    main()
