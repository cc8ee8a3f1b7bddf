"""The workers' sweep plan: every tenant at first and every `full_seconds`, in between those with work."""

from __future__ import annotations

import pytest

from comandia.server.jobs.sweeps import SweepPlan


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


EVERYONE = {"t1", "t2", "t3"}


def test_the_first_sweep_visits_every_tenant_then_only_those_with_work_until_the_next_full_one() -> None:
    clock = Clock()
    plan = SweepPlan(full_seconds=30, linger_seconds=300, clock=clock)
    assert plan.tenants(lambda: EVERYONE) == EVERYONE  # a restart's backlog is found at once (R2)
    clock.now += 2
    assert plan.tenants(lambda: EVERYONE) == set()  # 50 idle tenants cost nothing between full sweeps
    plan.worked({"t2"})
    clock.now += 2
    assert plan.tenants(lambda: EVERYONE) == {"t2"}
    clock.now += 30
    assert plan.tenants(lambda: EVERYONE) == EVERYONE


def test_a_tenant_with_work_is_swept_every_time_for_linger_seconds_then_left_to_the_full_sweeps() -> None:
    clock = Clock()
    plan = SweepPlan(full_seconds=1000, linger_seconds=300, clock=clock)
    plan.tenants(lambda: EVERYONE)
    plan.worked({"t1"})
    clock.now += 299  # a retry's longest backoff: still swept, so the retry keeps its time
    assert plan.tenants(lambda: EVERYONE) == {"t1"}
    clock.now += 2
    assert plan.tenants(lambda: EVERYONE) == set()


def test_after_sweep_all_the_next_sweep_visits_every_tenant() -> None:
    clock = Clock()
    plan = SweepPlan(full_seconds=30, clock=clock)
    plan.tenants(lambda: EVERYONE)
    clock.now += 1
    plan.sweep_all()  # the listener is back: what was announced meanwhile was not heard
    assert plan.tenants(lambda: EVERYONE) == EVERYONE


def test_a_full_sweep_whose_tenant_list_failed_is_tried_again_on_the_next_sweep() -> None:
    clock = Clock()
    plan = SweepPlan(full_seconds=30, clock=clock)

    def unavailable() -> set[str]:
        raise ConnectionError("the control database is away")

    with pytest.raises(ConnectionError):
        plan.tenants(unavailable)
    clock.now += 1
    assert plan.tenants(lambda: EVERYONE) == EVERYONE
