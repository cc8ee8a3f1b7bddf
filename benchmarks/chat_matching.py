"""Chat matching: one turn's reading (`reading.read_order`) against a menu of N products (default 500).

The menu is the corpus menus' products repeated with size and flavour words until it holds N
distinct names (plus aliases); the messages are every customer turn of the public corpus. Prints
the per-turn time (mean, p50, p95, max) of the real reader, each turn from cold (no word
remembered from the turns before), the time to build the menu's index
once (kept while the menu does not change), and beside them a bare baseline: one rapidfuzz
`process.extractOne` of the whole message over the product names. Target: < 2 ms per turn at
500 products. It also prints the thread's CPU time per turn, steadier than wall time on a busy
machine (on 2 shared cores at load 5 the baseline's own wall p95 is 5 to 9 ms).

    .venv/bin/python benchmarks/chat_matching.py [--products 500] [--rounds 3] [--database-url URL (unused)]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import percentile

from comandia.server.chat.matching import clear_indexes, index_for
from comandia.server.chat.model import CatalogView, CategoryView, ProductView
from comandia.server.chat.reading import read_order
from tests.server.chat.corpus import PUBLIC, load_chats, load_menus

VARIANTS = ("", "grande", "chico", "doble", "especial", "de la casa", "picante", "light", "familiar", "mini")


def big_menu(size: int) -> CatalogView:
    """`size` products with distinct names, built from the corpus menus' own products."""
    seeds = [p for menu in load_menus().values() for p in menu.catalog.products]
    products: list[ProductView] = []
    names: set[str] = set()
    round_ = 0
    while len(products) < size:
        variant = VARIANTS[round_ % len(VARIANTS)] + (f" {round_ // len(VARIANTS)}" if round_ >= len(VARIANTS) else "")
        for seed in seeds:
            name = f"{seed.name} {variant}".strip()
            if name in names or len(products) >= size:
                continue
            names.add(name)
            products.append(replace(seed, sku=f"P{len(products)}", name=name, price=Decimal("10"), category_id=1))
        round_ += 1
    return CatalogView(categories=(CategoryView(1, "Todo"),), products=tuple(products))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="accepted for the benchmark smoke run; matching is pure")
    args = parser.parse_args()
    catalog = big_menu(args.products)
    messages = [t for chat in load_chats(PUBLIC) for t in chat.turns]

    started = time.perf_counter()
    clear_indexes()
    index = index_for(catalog)
    build_ms = (time.perf_counter() - started) * 1000

    timings: list[float] = []
    cpu: list[float] = []
    for _ in range(args.rounds):
        for text in messages:
            index.forget()  # every turn from cold: no word or phrase remembered from the last one
            began, began_cpu = time.perf_counter(), time.thread_time()
            read_order(text, catalog)
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.thread_time() - began_cpu) * 1000)

    names = [p.name for p in catalog.products]
    bare: list[float] = []
    bare_cpu: list[float] = []
    for _ in range(args.rounds):
        for text in messages:
            began, began_cpu = time.perf_counter(), time.thread_time()
            process.extractOne(text, names, scorer=fuzz.WRatio)
            bare.append((time.perf_counter() - began) * 1000)
            bare_cpu.append((time.thread_time() - began_cpu) * 1000)

    print(f"chat matching: {len(catalog.products)} products, {len(messages)} corpus turns x {args.rounds} rounds")
    print(f"  index build (once per menu): {build_ms:.1f} ms")
    print(
        f"  read_order per turn: mean {statistics.fmean(timings):.3f} ms, p50 {percentile(timings, 50):.3f} ms, "
        f"p95 {percentile(timings, 95):.3f} ms, max {max(timings):.3f} ms (target < 2 ms)"
    )
    print(
        f"  baseline rapidfuzz extractOne of the whole message: mean {statistics.fmean(bare):.3f} ms, "
        f"p95 {percentile(bare, 95):.3f} ms"
    )
    print(
        f"  thread CPU per turn: read_order mean {statistics.fmean(cpu):.3f} ms, p50 {percentile(cpu, 50):.3f} ms, "
        f"p95 {percentile(cpu, 95):.3f} ms, max {max(cpu):.3f} ms; baseline mean {statistics.fmean(bare_cpu):.3f} ms, "
        f"p95 {percentile(bare_cpu, 95):.3f} ms"
    )


if __name__ == "__main__":
    main()
