"""The console's KPI page redrawn for a new date range, on a tenant with 1,000,000 orders.

The whole path the manager waits on after picking a range: the console's own background step
(`load_dashboard`: the KPI report over HTTP from the real server, then every matplotlib figure),
then the GUI step, each figure put on a Qt canvas and drawn (all of them, though the page
shows one tab at a time). The server runs in this process behind waitress on loopback; Qt is
offscreen. Seeding is kpi.py's (generate_series, rollups rebuilt). Target: < 1 s.

    .venv/bin/python benchmarks/kpi_redraw.py [--orders 1000000] [--runs 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from harness import bench_runtime, percentile
from kpi import SEED, START, TODAY
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtWidgets import QApplication
from waitress.server import create_server

from comandia.console.i18n import Translator
from comandia.console.windows.kpis import load_dashboard
from comandia.server.app import create_app
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.shared.client import ApiClient
from tests.plugins.api import stop

PRESETS = {"7 days": (7, "day"), "30 days": (30, "day"), "90 days": (90, "day"), "2 years": (730, "week")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    app = QApplication([])
    with bench_runtime(args.database_url, "kr") as runtime:
        tenant = runtime.tenants.create(NewTenant("Redraw"), actor="bench")
        admin_url = runtime.databases.primary_url.set(database=tenant.database)
        started = time.perf_counter()
        with psycopg.connect(
            admin_url.render_as_string(hide_password=False).replace("+psycopg", ""), autocommit=True
        ) as connection:
            for statement in SEED.format(orders=args.orders, customers=args.customers, start=START).split(";\n"):
                if statement.strip():
                    connection.execute(statement)
        runtime.services.kpis.rebuild(tenant.id)
        print(f"seeded {args.orders:,} orders and rebuilt the rollups in {time.perf_counter() - started:.1f} s")
        password = secrets.token_urlsafe(12)
        runtime.users.create("redraw-admin", password, "superadmin", None, actor="bench")
        token = runtime.services.auth.login("redraw-admin", password, address="bench").token
        server = create_server(create_app(runtime.services), host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        client = ApiClient(f"http://127.0.0.1:{server.effective_port}", token=token)
        tr = Translator("es")
        print(f"\n{'range':<10}{'report+figures p50':>20}{'draw p50':>10}{'total p50':>11}{'total max':>11}")
        try:
            for label, (days, granularity) in PRESETS.items():
                first = TODAY - dt.timedelta(days=days - 1)
                background, drawing, totals = [], [], []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    dashboard = load_dashboard(client, tenant.id, first, TODAY, granularity, tr, "es")
                    t1 = time.perf_counter()
                    for figure in dashboard.figures.values():
                        FigureCanvasQTAgg(figure).draw()  # type: ignore[no-untyped-call]
                    app.processEvents()
                    t2 = time.perf_counter()
                    background.append((t1 - t0) * 1000)
                    drawing.append((t2 - t1) * 1000)
                    totals.append((t2 - t0) * 1000)
                print(
                    f"{label:<10}{statistics.median(background):>17.0f} ms{statistics.median(drawing):>7.0f} ms"
                    f"{statistics.median(totals):>8.0f} ms{percentile(totals, 100):>8.0f} ms"
                )
        finally:
            client.close()
            stop(server, thread)
    print("target: total < 1,000 ms")


if __name__ == "__main__":
    main()
