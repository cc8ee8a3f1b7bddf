"""`tenant_pooler_url`: tenants of the primary server are reached through the pooler, with no
prepared statements and no `options` startup parameter; the control database stays direct.

The real PgBouncer in transaction mode, under load with a process killed, is in
tests/faults/test_load_balancer.py; these check the routing and the connection settings alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.engine import make_url

from comandia.server.db.engines import ConnectionBudget, ConnectOptions, create_budgeted_engine, normalise_url
from comandia.server.db.sessions import Databases
from comandia.server.wiring import Runtime
from comandia.shared.schemas.tenants import TenantInfo


def test_only_the_pooler_s_address_counts_as_behind_it() -> None:
    options = ConnectOptions(pooler=("127.0.0.1", 6432))
    assert options.behind_pooler(make_url("postgresql+psycopg://t:p@127.0.0.1:6432/tenant"))
    assert not options.behind_pooler(make_url("postgresql+psycopg://t:p@127.0.0.1:5432/tenant"))
    assert not options.behind_pooler(make_url("postgresql+psycopg://t:p@db2.internal:6432/tenant"))
    assert not ConnectOptions().behind_pooler(make_url("postgresql+psycopg://t:p@127.0.0.1:6432/tenant"))


def test_tenants_of_the_primary_server_go_through_the_pooler_and_the_control_database_does_not(
        runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> None:
    tenant = make_tenant()
    pooled = Databases(replace(runtime.config, tenant_pooler_url="postgresql://127.0.0.1:6999"),
                       runtime.databases.primary_url, runtime.databases.box)
    try:
        url = pooled._tenant_url(tenant.id)
        assert (url.host, url.port, url.database) == ("127.0.0.1", 6999, tenant.database)
        assert url.username != runtime.databases.primary_url.username  # the tenant's own role
        control = pooled.control_engine.url
        assert (control.host, control.port) == (runtime.databases.primary_url.host, runtime.databases.primary_url.port)
        assert not pooled.options.behind_pooler(control)
    finally:
        pooled.close()


def test_a_pooled_connection_prepares_nothing_and_a_direct_one_keeps_its_statement_timeout(runtime: Runtime) -> None:
    url = normalise_url(runtime.databases.primary_url)
    budget = ConnectionBudget(limit=2, wait_seconds=1)
    pooler = (url.host or "", url.port or 5432)  # the server itself stands in for the pooler's address
    for options, prepare_threshold, timeout in ((ConnectOptions(pooler=pooler), None, "0"),
                                                (ConnectOptions(statement_timeout_ms=7000), 5, "7s")):
        engine = create_budgeted_engine(url, budget, 1, options)
        try:
            fairy = engine.raw_connection()
            try:
                connection = fairy.driver_connection
                assert connection.prepare_threshold == prepare_threshold
                assert connection.execute("SHOW statement_timeout").fetchone() == (timeout,)
            finally:
                fairy.close()
        finally:
            engine.dispose()
