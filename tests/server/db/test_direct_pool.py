"""The journal's pool of plain connections keeps the engines' promises: budget, deadline, no broken reuse."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from comandia.server.config import ServerConfig
from comandia.server.db.direct_pool import DirectPool
from comandia.server.db.engines import ConnectionBudget, ConnectOptions, database_deadline, normalise_url
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import Unavailable


@contextmanager
def control_pool(
    config: ServerConfig, limit: int, wait_seconds: float, size: int
) -> Iterator[tuple[DirectPool, ConnectionBudget]]:
    """A pool of `size` connections to the control database under a budget of `limit`, closed after."""
    budget = ConnectionBudget(limit=limit, wait_seconds=wait_seconds)
    url = normalise_url(config.database_url or "").set(database=config.control_database)
    pool = DirectPool(url, budget, size, ConnectOptions(), "the control database")
    try:
        yield pool, budget
    finally:
        pool.close()


def test_connections_are_lent_in_autocommit_reused_and_each_holds_a_budget_slot(
    config: ServerConfig, runtime: Runtime
) -> None:
    with control_pool(config, limit=5, wait_seconds=0.2, size=2) as (pool, budget):
        with pool.connection() as first, pool.connection() as second:
            assert first is not second and first.autocommit and second.autocommit
            assert budget.in_use == 2
            started = time.monotonic()
            with pytest.raises(Unavailable, match="busy"), pool.connection():
                pass
            assert 0.15 <= time.monotonic() - started < 2
        with pool.connection() as again:
            assert again in (first, second) and again.execute("SELECT 1").fetchone() == (1,)
        assert budget.in_use == 2
    assert budget.in_use == 0


def test_a_connection_that_failed_is_closed_and_its_slot_given_back(config: ServerConfig, runtime: Runtime) -> None:
    with control_pool(config, limit=2, wait_seconds=0.2, size=1) as (pool, budget):
        with pytest.raises(Unavailable, match="not reachable"), pool.connection() as doomed:
            doomed.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        assert doomed.closed and budget.in_use == 0
        with pool.connection() as fresh:
            assert fresh is not doomed and fresh.execute("SELECT 1").fetchone() == (1,)


def test_a_connection_left_inside_a_transaction_is_not_lent_again(config: ServerConfig, runtime: Runtime) -> None:
    with control_pool(config, limit=2, wait_seconds=0.2, size=1) as (pool, budget):
        with pool.connection() as careless:
            careless.execute("BEGIN")
        assert careless.closed and budget.in_use == 0


def test_the_wait_for_a_connection_ends_at_the_database_deadline(config: ServerConfig, runtime: Runtime) -> None:
    with control_pool(config, limit=2, wait_seconds=5, size=1) as (pool, _), pool.connection():
        started = time.monotonic()
        with pytest.raises(Unavailable), database_deadline(0.2), pool.connection():
            pass
        assert time.monotonic() - started < 1
