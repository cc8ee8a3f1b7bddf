"""The connection budget holds whatever the number of tenants and the shape of the burst."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

import pytest
import sqlalchemy as sa

from comandia.server.config import ServerConfig
from comandia.server.db.engines import BudgetExhausted, ConnectionBudget, normalise_url
from comandia.server.db.secretbox import SecretBox
from comandia.server.db.sessions import Databases
from comandia.shared.schemas.tenants import TenantInfo


def small_databases(config: ServerConfig, budget: int, wait: float = 0.3, idle: float = 60.0) -> Databases:
    limited = replace(
        config, connection_budget=budget, budget_wait_seconds=wait, tenant_pool_size=2, idle_pool_seconds=idle
    )
    return Databases(limited, normalise_url(config.database_url or ""), SecretBox(config.secret_key or ""))


def server_connections(url: str, databases: list[str]) -> int:
    """Connections the server holds open to `databases` (the test's own tenants: the control
    database's pools and other tests' tenants are not this budget's)."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(%s)", (databases,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_budget_refuses_after_waiting_and_never_exceeds_its_limit() -> None:
    budget = ConnectionBudget(limit=2, wait_seconds=0.2)
    budget.acquire()
    budget.acquire()
    started = time.monotonic()
    with pytest.raises(BudgetExhausted):
        budget.acquire()
    assert 0.15 <= time.monotonic() - started < 2
    budget.release()
    budget.acquire()
    assert budget.peak == 2


def test_a_waiting_request_gets_the_connection_released_meanwhile() -> None:
    budget = ConnectionBudget(limit=1, wait_seconds=2)
    budget.acquire()
    threading.Timer(0.1, budget.release).start()
    budget.acquire()
    assert budget.in_use == 1


def test_many_tenants_share_a_small_budget_by_closing_idle_pools(
    config: ServerConfig, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenants = [make_tenant() for _ in range(8)]
    databases = small_databases(config, budget=4)
    try:
        for _ in range(3):
            for tenant in tenants:
                with databases.tenant_session(tenant.id) as session:
                    assert session.scalar(sa.text("SELECT tenant_id FROM tenant_info")) == tenant.id
        assert databases.budget.peak <= 4
        assert server_connections(config.database_url or "", [t.database for t in tenants]) <= 4
    finally:
        databases.close()
    assert databases.budget.in_use == 0


def test_tenants_visited_in_turn_keep_a_fixed_set_connected(
    config: ServerConfig, make_tenant: Callable[..., TenantInfo]
) -> None:
    """The journal's drain visits every tenant once a pass, in the same order. With 8 tenants on 5
    free slots, closing a random tenant's idle connection reopened ~5.3 connections a pass; keeping
    the same 4 connected and turning the rest over one slot reopens exactly 4."""
    tenants = [make_tenant() for _ in range(8)]
    databases = small_databases(config, budget=6)  # the control pool's one connection and 5 for tenants
    opened: list[object] = []

    def count(*_: object) -> None:
        opened.append(None)

    sa.event.listen(sa.pool.Pool, "connect", count)
    try:
        for _ in range(2):  # the first pass opens every tenant's pool and the control connection
            for tenant in tenants:
                with databases.tenant_autocommit(tenant.id) as connection:
                    connection.execute("SELECT 1")
        opened.clear()
        for _ in range(6):
            for tenant in tenants:
                with databases.tenant_autocommit(tenant.id) as connection:
                    connection.execute("SELECT 1")
        assert len(opened) == 6 * 4
        assert databases.budget.peak <= 6
    finally:
        sa.event.remove(sa.pool.Pool, "connect", count)
        databases.close()


def test_a_burst_over_the_budget_fails_clearly_instead_of_exceeding_it(
    config: ServerConfig, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenants = [make_tenant() for _ in range(3)]
    databases = small_databases(config, budget=4, wait=0.3)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def hold(tenant_id: str) -> None:
        barrier.wait()
        try:
            with databases.tenant_session(tenant_id) as session:
                session.execute(sa.text("SELECT pg_sleep(0.8)"))
            outcomes.append("ok")
        except BudgetExhausted as error:
            assert "connections are busy" in error.detail
            outcomes.append("refused")
        except Exception as error:  # a pool timeout is also a clear refusal (Unavailable)
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=hold, args=(tenants[i % 3].id,)) for i in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert databases.budget.peak <= 4
        assert outcomes.count("ok") >= 1
        assert set(outcomes) <= {"ok", "refused", "Unavailable"}
        assert "refused" in outcomes or "Unavailable" in outcomes
    finally:
        databases.close()


def test_idle_pools_are_closed(config: ServerConfig, make_tenant: Callable[..., TenantInfo]) -> None:
    tenant = make_tenant()
    databases = small_databases(config, budget=5, idle=0.0)
    try:
        with databases.tenant_session(tenant.id) as session:
            session.execute(sa.text("SELECT 1"))
        assert databases.budget.in_use >= 1
        assert databases.tenant_engines.close_idle() == 1
        assert len(databases.tenant_engines) == 0
    finally:
        databases.close()


def test_a_connection_lent_when_its_engine_is_dropped_is_closed_when_it_comes_back(
    config: ServerConfig, make_tenant: Callable[..., TenantInfo]
) -> None:
    """A move, a deactivation or a pooler change drops a tenant's engine while a request holds one
    of its connections: that connection is closed when the request ends, and its budget place is
    freed then, not left to the garbage collector (which warned "deleted while still open" in some
    later test, and kept the place until it ran)."""
    tenant = make_tenant()
    databases = small_databases(config, budget=5)
    try:
        with databases.tenant_session(tenant.id) as session:
            session.execute(sa.text("SELECT 1"))
            lent = session.connection().connection.driver_connection
            databases.tenant_engines.forget(tenant.id)
            assert lent is not None and not lent.closed  # the request keeps working
            session.execute(sa.text("SELECT 1"))
            held = databases.budget.in_use  # the control database's connection counts too
        assert lent.closed
        assert databases.budget.in_use == held - 1
    finally:
        databases.close()
