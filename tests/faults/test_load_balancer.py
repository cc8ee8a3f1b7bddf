"""Issue 19 (a real load balancer and pooler): three server processes behind nginx and PgBouncer.

Three `comandia-server` processes (each with its own home and port, as on three hosts) share one
control database directly and reach the tenants' databases through Debian's PgBouncer in
transaction mode (`COMANDIA_TENANT_POOLER_URL`); the installer's nginx site balances them. First
a login guessed wrong 5 times on one process is refused (429) by every process. Then R1's load
(unique signed Meta messages for 3 tenants, +50 % exact duplicates, 8 retrying senders, each
from its own loopback address) goes through nginx over HTTPS, and at `KILL_AT` one process is
SIGKILLed: nginx sends its webhooks to the others. Pass: R1's invariants (nothing acknowledged
lost, nothing stored or answered twice, one order per confirming customer), and the tenants'
connections went through PgBouncer while the control database's did not.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.faults.appliance import PREFIX, SECRET_KEY, Appliance, Tenant, check_invariants, provision
from tests.faults.balancer import Pooler, nginx, pgbouncer
from tests.faults.cluster import KillableCluster, free_port, killable_cluster
from tests.faults.load import SenderProcess, build_plan, write_plan
from tests.plugins.providers import StandIn

PROCESSES = 3
UNIQUE_MESSAGES = 2_000
KILL_AT = 2.0
DRAIN_TIMEOUT = 1200.0
"""A stall guard, not a speed target (see R2)."""


def server_env(cluster: KillableCluster, pooler: Pooler, provider_base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMANDIA_")}
    return env | {
        "COMANDIA_DATABASE_URL": cluster.url,
        "COMANDIA_TENANT_POOLER_URL": pooler.url,
        "COMANDIA_DB_PREFIX": PREFIX,
        "COMANDIA_SECRET_KEY": SECRET_KEY,
        "COMANDIA_ADMIN_PASSWORD": "fault tests admin",
        "COMANDIA_TRUSTED_PROXIES": "127.0.0.1",
        "COMANDIA_LOG_LEVEL": "WARNING",
        **{f"COMANDIA_WHATSAPP_{p}_BASE": provider_base for p in ("META", "360DIALOG", "TWILIO")},
    }


@contextlib.contextmanager
def servers(cluster: KillableCluster, tenants: list[Tenant], env: dict[str, str]) -> Iterator[list[Appliance]]:
    """`PROCESSES` servers on their own ports and homes, started one after the other; all stopped on exit."""
    homes = [Path(tempfile.mkdtemp(prefix=f"comandia-lb{n}-home-")) for n in range(PROCESSES)]
    boxes = [Appliance(cluster, home, free_port(), env, tenants) for home in homes]
    try:
        for box in boxes:
            box.start_server()
        yield boxes
    finally:
        for box in boxes:
            box.stop_server()
        for home in homes:
            shutil.rmtree(home, ignore_errors=True)


def failed_login(base: str) -> int:
    return requests.post(
        f"{base}/api/v1/auth/login", json={"username": "admin", "password": "not the password"}, timeout=30
    ).status_code


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_three_processes_behind_nginx_and_pgbouncer_lose_double_and_forget_nothing(
    stand_in: StandIn, tmp_path: Path
) -> None:
    home = Path(tempfile.mkdtemp(prefix="comandia-lb-provision-"))
    try:
        with killable_cluster("lb") as cluster, pgbouncer(cluster.url) as pooler:
            tenants = provision(cluster, home, 3)
            with (
                servers(cluster, tenants, server_env(cluster, pooler, stand_in.url)) as boxes,
                nginx([f"127.0.0.1:{box.port}" for box in boxes]) as proxy,
            ):
                first, *others = boxes
                assert [failed_login(first.base) for _ in range(5)] == [401] * 5
                assert [failed_login(box.base) for box in boxes] == [429] * PROCESSES, (
                    "a login throttled on one process must be throttled on all"
                )

                plan = build_plan([t.shop for t in tenants], unique=UNIQUE_MESSAGES)
                write_plan(plan, tmp_path / "plan.json")
                senders = SenderProcess(tmp_path / "plan.json", proxy.base, tmp_path / "result.json", spread=True)
                senders.at(KILL_AT)
                first.kill_server()
                result = senders.result(timeout=900)
                drain = others[0].wait_processed(DRAIN_TIMEOUT)
                print(
                    f"\nLB: {plan.posts} posts acknowledged in {result['seconds']:.1f}s "
                    f"({plan.posts / result['seconds']:.0f} posts/s) through nginx by {PROCESSES} processes, "
                    f"one killed at {KILL_AT:.0f}s; outcomes {result['statuses']}; inbox drained {drain:.1f}s "
                    f"after the last ack"
                )
                problems = check_invariants(others[0], plan, set(result["acked"]))
                if result["statuses"].get("500"):  # a bug's answer (a prepared statement behind the pooler, ...)
                    problems.append(f"{result['statuses']['500']} webhooks answered 500")
                logs = "\n".join(box.log_tail(2000) for box in others) + proxy.log_tail() + pooler.log_tail()
                assert not problems, "\n".join(problems) + "\n" + logs
                # nginx met the killed process (refused or cut connections) and sent its webhooks on.
                assert f"127.0.0.1:{first.port}" in proxy.log_tail(10**7), "the kill went unnoticed: no load then?"
                pooled = pooler.log_tail(10**7)
                assert all(f"db={t.database}" in pooled for t in tenants), "tenants were not reached through PgBouncer"
                assert f"db={PREFIX}_control" not in pooled, "the control database must be reached directly"
    finally:
        shutil.rmtree(home, ignore_errors=True)
