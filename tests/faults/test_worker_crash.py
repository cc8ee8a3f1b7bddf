"""Issue 19 (several processes): one of three `--workers` processes is SIGKILLed mid-load.

R1's load on a throwaway cluster (unique signed Meta messages for 3 tenants, +50 % exact
duplicates, 8 retrying senders) against `comandia-server --workers 3`. At `KILL_AT` one worker
process is SIGKILLed: its requests in flight are cut, its half-done chat turns abandoned, and its
claimed inbox rows left to the others. The supervisor starts another. Pass: R1's invariants
(nothing acknowledged lost, nothing stored or answered twice, one order per confirming customer),
with three processes sharing the inbox through SKIP LOCKED the whole time.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.faults.appliance import Appliance, appliance, check_invariants
from tests.faults.load import SenderProcess, build_plan, write_plan
from tests.plugins.providers import StandIn
from tests.server.test_workers import is_worker

UNIQUE_MESSAGES = 3_000
WORKERS = 3
KILL_AT = 2.0
DRAIN_TIMEOUT = 1200.0
"""A stall guard, not a speed target (see R2)."""


def workers(box: Appliance) -> list[psutil.Process]:
    assert box.server is not None
    return [child for child in psutil.Process(box.server.pid).children() if is_worker(child)]


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_one_of_three_server_processes_killed_mid_load_loses_and_doubles_nothing(
    stand_in: StandIn, tmp_path: Path
) -> None:
    with appliance("w3", stand_in.url, server_args=("--workers", str(WORKERS))) as box:
        deadline = time.monotonic() + 60
        while len(workers(box)) < WORKERS and time.monotonic() < deadline:
            time.sleep(0.1)
        started = {worker.pid for worker in workers(box)}
        assert len(started) == WORKERS, box.log_tail()
        plan = build_plan(box.shops, unique=UNIQUE_MESSAGES)
        write_plan(plan, tmp_path / "plan.json")
        senders = SenderProcess(tmp_path / "plan.json", box.base, tmp_path / "result.json")
        senders.at(KILL_AT)
        victim = min(started)
        psutil.Process(victim).send_signal(signal.SIGKILL)
        result = senders.result(timeout=600)
        drain = box.wait_processed(DRAIN_TIMEOUT)
        replaced = {worker.pid for worker in workers(box)}
        print(
            f"\nW3: {plan.posts} posts acknowledged in {result['seconds']:.1f}s "
            f"({plan.posts / result['seconds']:.0f} posts/s) by {WORKERS} processes, one killed at {KILL_AT:.0f}s; "
            f"outcomes {result['statuses']}; inbox drained {drain:.1f}s after the last ack"
        )
        problems = check_invariants(box, plan, set(result["acked"]))
        assert not problems, "\n".join(problems) + "\n" + box.log_tail()
        assert victim not in replaced and len(replaced) == WORKERS, "the killed process was not replaced"
