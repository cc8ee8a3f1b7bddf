"""`demo`: two demo tenants with a catalog, customers and three months of orders."""

from __future__ import annotations

import argparse

from comandia.provisioning.output import EXIT_OK, Output
from comandia.provisioning.progress import progress_bar
from comandia.server.services.demo import create_demo
from comandia.server.wiring import Collaborators, Runtime
from comandia.shared.i18n import N_


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="create demo tenants with a few months of orders")
    demo.add_argument("--days", type=int, default=90, help="days of order history (default 90)")
    demo.add_argument("--orders-per-day", type=int, default=6)
    demo.set_defaults(handler=run_demo)


def run_demo(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    with progress_bar("demo orders", enabled=not args.json) as advance:
        tenants = create_demo(
            lambda clock: runtime.rewired(Collaborators(clock=clock)),
            args.days,
            args.orders_per_day,
            on_progress=advance,
        )
    out.result(
        [t.login() for t in tenants],
        lambda: out.table(
            [N_("TENANT"), N_("NAME"), N_("ORDERS"), N_("MANAGER LOGIN"), N_("PASSWORD")],
            [[t.tenant_id, t.name, t.orders, t.manager, t.password] for t in tenants],
        ),
    )
    return EXIT_OK
