"""Chat turns: inbound message -> replies through the appliance's `ConversationService`, the whole database path.

Many customers chat at once over a few tenants, each through a whole conversation that ends in an
order (greeting, menu, product, quantity, free text, cart, delivery data, confirm, status), on
worker threads as the inbox worker would run them. Each turn locks the chat session row, reads
the menu, runs the flow and stores the state; a confirmation also finds the customer and places
the order. The WhatsApp transport (webhook, inbox, outbox, sending) is not included: its own
benchmark adds it. Targets: >= 300 turns/s, p95 < 200 ms. It also prints the CPU time the
process spent per turn, steadier than wall time on a busy machine.

    .venv/bin/python benchmarks/chat_turns.py [--tenants 3] [--customers 60] [--threads 16]
                                              [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness import bench_runtime, percentile

from comandia.server.chat.model import CustomerRef, Inbound, TenantContext
from comandia.server.jobs.summaries import SummaryRefresher
from comandia.server.services.messaging.conversations import ConversationService
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime
from comandia.shared.schemas.catalog import CategoryInput, ProductInput

CONVERSATION = (
    "hola",
    "menu",
    "1",  # the first category
    "1",  # its first product
    "2",  # quantity
    "quiero 2 pizzas margarita y una coca",
    "carrito",
    "finalizar",
    "Cliente Bench",
    "Av. Siempre Viva 742",
    "Ciudad de México",
    "1",  # confirm
    "estado",
)
CATEGORIES = ("Pizzas", "Bebidas", "Postres", "Entradas")


def seed(runtime: Runtime, tenant_id: str) -> None:
    """Four categories of eight products; the names the conversation types are among them."""
    catalog = runtime.services.catalog
    for position, name in enumerate(CATEGORIES):
        category = catalog.create_category(tenant_id, CategoryInput(name, position)).id
        for index in range(8):
            catalog.create_product(
                tenant_id,
                ProductInput(
                    sku=f"{name[:3].upper()}-{index}",
                    name=f"{name[:-1]} especial {index}",
                    price=Decimal(50 + index),
                    category_id=category,
                    sort_order=index + 1,
                ),
            )
    pizzas = catalog.list_categories(tenant_id)[0].id
    catalog.create_product(
        tenant_id, ProductInput(sku="PZ-MAR", name="Pizza margarita", price=Decimal(120), category_id=pizzas)
    )
    catalog.create_product(tenant_id, ProductInput(sku="COCA", name="Coca-Cola", price=Decimal(25)))


def converse(
    service: ConversationService,
    tenant: TenantContext,
    customer: CustomerRef,
    timings: list[float],
    placing: list[float] | None = None,
) -> int:
    """One whole conversation; returns how many orders it placed (1 when all went well).

    `placing` gets the times of the turns that placed an order (the confirmation)."""
    placed = 0
    for text in CONVERSATION:
        before = time.perf_counter()
        replies = service.handle(tenant, "bench", customer, Inbound(kind="text", text=text))
        timings.append((time.perf_counter() - before) * 1000)
        if any("Pedido recibido" in reply.body for reply in replies):
            placed += 1
            if placing is not None:
                placing.append(timings[-1])
    return placed


def run(runtime: Runtime, tenants: int, customers: int, threads: int) -> None:
    service = runtime.services.conversations  # as the inbox worker runs it: orders with every hook
    contexts = []
    for _ in range(tenants):
        tenant = runtime.tenants.create(NewTenant(f"Bench {secrets.token_hex(3)}"), actor="bench")
        seed(runtime, tenant.id)
        contexts.append(runtime.services.contexts.get(tenant.id))
    people = [
        (contexts[i % tenants], CustomerRef(f"52155{i:08d}", None, f"+52155{i:08d}", f"Cliente {i}"))
        for i in range(customers)
    ]
    warm: list[float] = []
    for context in contexts:  # warm the pools: one conversation per tenant, not measured
        converse(service, context, CustomerRef("5215599999999", None, "+5215599999999", None), warm)
    timings: list[float] = []
    placing: list[float] = []
    lock = threading.Lock()

    def one(person: tuple[TenantContext, CustomerRef]) -> int:
        local: list[float] = []
        local_placing: list[float] = []
        placed = converse(service, person[0], person[1], local, local_placing)
        with lock:
            timings.extend(local)
            placing.extend(local_placing)
        return placed

    started, cpu_started = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        placed = sum(pool.map(one, people))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"{len(timings)} turns by {customers} customers over {tenants} tenants on {threads} threads "
        f"in {elapsed:.1f} s; {placed} orders placed"
    )
    print(
        f"chat turns {len(timings) / elapsed:7.0f} turns/s (target >= 300)   "
        f"p50 {statistics.median(timings):6.1f} ms   p95 {percentile(timings, 95):6.1f} ms (target < 200)"
        f"   p99 {percentile(timings, 99):6.1f} ms"
    )
    # Wall-clock figures move with whatever else the machine runs; the CPU this process spent per
    # turn (all its threads; PostgreSQL's own work not included) compares runs more fairly.
    print(f"process CPU {cpu * 1000 / len(timings):6.2f} ms per turn (time.process_time)")
    if placing:
        print(
            f"turns that placed an order: p50 {statistics.median(placing):6.1f} ms"
            f"   p95 {percentile(placing, 95):6.1f} ms   ({len(placing)} turns)"
        )
    print(f"load average {os.getloadavg()[0]:.2f} when the run ended")
    if placed != customers:
        raise SystemExit(f"expected {customers} orders, got {placed}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=3)
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_runtime(args.database_url, "bc") as runtime:
        # As in the server (and benchmarks/api.py): the superadmin summary is copied by its
        # refresher about once a second, not by each order on its own control connection.
        refresher = SummaryRefresher(runtime.services.summaries, catch_up=lambda: None)
        refresher.start()
        try:
            run(runtime, args.tenants, args.customers, args.threads)
        finally:
            refresher.stop()


if __name__ == "__main__":
    main()
