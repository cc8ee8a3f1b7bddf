"""Back up and restore-check 100 tenants of 10,000 orders each; then a restore drill of 100,000 orders.

Runs on a throwaway embedded PostgreSQL unless --database-url is given (then it uses a random
prefix there and drops what it made). Orders are seeded with the tenant schema's real tables
(customers, orders, order_items; t0002) by set-based SQL as the tenant's own role, or into a
stand-in table of similar width when that migration is absent.

Targets (RELIABILITY.md R7/R10): every backup restore-checked; the drill's restore < 30 s.

    .venv/bin/python benchmarks/backup.py [--tenants 100] [--orders 10000] [--drill-orders 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import bench_runtime

from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime

ORDERS_SQL = [
    "INSERT INTO customers (phone, name, city, region, default_address)"
    " SELECT '+5255' || lpad(g::text, 8, '0'), 'Cliente ' || g, (ARRAY['CDMX', 'Puebla', 'Lima'])[1 + g % 3],"
    " 'Centro', 'Av. Reforma ' || g || ', col. Juárez' FROM generate_series(1, 500) g",
    "INSERT INTO orders (id, customer_id, customer_name, customer_phone, status, channel, delivery_address,"
    " delivery_city, notes, subtotal, delivery_fee, total, currency, created_at, confirmed_at)"
    " SELECT g, 1 + g % 500, 'Cliente ' || (1 + g % 500), '+5255' || lpad((1 + g % 500)::text, 8, '0'),"
    " (ARRAY['new', 'confirmed', 'shipped', 'completed'])[1 + g % 4], 'whatsapp',"
    " 'Calle ' || g || ' #' || (g % 300), 'CDMX', CASE WHEN g % 5 = 0 THEN 'sin cebolla, por favor' END,"
    " (g % 50 + 1) * 12.50, 35, (g % 50 + 1) * 12.50 + 35, 'MXN',"
    " now() - g * interval '7 min', CASE WHEN g % 4 > 0 THEN now() - g * interval '6 min' END"
    " FROM generate_series(1, %(n)s) g",
    "INSERT INTO order_items (order_id, position, sku, name, unit_price, quantity, line_total)"
    " SELECT g, 1, 'SKU-' || (g % 40), 'Taco al pastor ' || (g % 40), 12.50, g % 50 + 1, 12.50 * (g % 50 + 1)"
    " FROM generate_series(1, %(n)s) g",
]
STAND_IN_SQL = [
    "CREATE TABLE bench_orders (id bigint PRIMARY KEY, customer_name text, customer_phone text, status text,"
    " delivery_address text, notes text, subtotal numeric(12,2), total numeric(12,2), currency text,"
    " created_at timestamptz, extra jsonb)",
    "INSERT INTO bench_orders SELECT g, 'Cliente ' || g % 500, '+5255' || lpad(g::text, 8, '0'), 'new',"
    " 'Calle ' || g, NULL, g * 1.5, g * 1.5 + 35, 'MXN', now() - g * interval '7 min', '{}'::jsonb"
    " FROM generate_series(1, %(n)s) g",
]


def seed(runtime: Runtime, tenant_id: str, orders: int) -> None:
    """Insert `orders` orders as the tenant's role, in one transaction."""
    tenant = runtime.tenants.get(tenant_id)
    has_orders = Path("server/db/migrations/tenant/versions/t0002_orders.py").exists()
    cluster = runtime.databases.primary_cluster()
    with cluster.connect(tenant.database) as connection, connection.transaction():
        connection.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(tenant.database)))
        for statement in ORDERS_SQL if has_orders else STAND_IN_SQL:
            # Modulo signs are doubled: the statements take a parameter.
            connection.execute(statement.replace(" % ", " %% "), {"n": orders})  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--drill-orders", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_runtime(args.database_url, "bb") as runtime:
        run(runtime, args)


def run(runtime: Runtime, args: argparse.Namespace) -> None:
    backups = runtime.services.backups
    started = time.perf_counter()
    ids = []
    for i in range(args.tenants):
        ids.append(runtime.tenants.create(NewTenant(f"Negocio {i}"), actor="bench").id)
        seed(runtime, ids[-1], args.orders)
    seeded = time.perf_counter() - started
    print(f"provision + seed {args.tenants} x {args.orders} orders: {seeded:.1f} s")

    started = time.perf_counter()
    report = backups.run(ids, verify=True)
    total = time.perf_counter() - started
    seconds = [o.seconds for o in report.outcomes]
    verify_seconds = [o.verify.seconds for o in report.outcomes if o.verify]
    sizes = [o.backup.size_bytes or 0 for o in report.outcomes if o.backup]
    print(
        f"backup + verify all:     {total:.1f} s total, {sum(o.ok for o in report.outcomes)}/{len(report.outcomes)} ok"
    )
    print(
        f"per tenant (s):          p50 {statistics.median(seconds):.2f}  max {max(seconds):.2f}"
        f"  (of which verify p50 {statistics.median(verify_seconds):.2f})"
    )
    print(f"dump size per tenant:    p50 {statistics.median(sizes) / 2**20:.2f} MiB")

    drill = runtime.tenants.create(NewTenant("Restore drill"), actor="bench")
    seed(runtime, drill.id, args.drill_orders)
    started = time.perf_counter()
    backup = backups.run([drill.id]).outcomes[0].backup
    assert backup is not None
    backed_up = time.perf_counter() - started
    runtime.databases.tenant_engines.forget(drill.id)
    runtime.databases.primary_cluster().drop_database(drill.database)
    started = time.perf_counter()
    runtime.services.restores.restore(drill.id, actor="bench")
    restored = time.perf_counter() - started
    started = time.perf_counter()
    check = backups.verify(backup.id)
    verified = time.perf_counter() - started
    print(
        f"restore drill ({args.drill_orders} orders, {backup.size_bytes or 0} bytes):"
        f" backup {backed_up:.2f} s, drop + restore (incl. compare) {restored:.2f} s,"
        f" verify {verified:.2f} s -> {check.detail}"
    )


if __name__ == "__main__":
    main()
