"""Poolers: tenants of the primary server are reached through `tenant_pooler_url`, tenants of any
registered server through that server's own pooler (`db_servers.pooler_url`), with no prepared
statements and no `options` startup parameter; the control database stays direct.

The real PgBouncer in transaction mode, under load with a process killed, is in
tests/faults/test_load_balancer.py; these check the routing and the connection settings alone.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from comandia.server.db.control_models import DbServer
from comandia.server.db.engines import ConnectionBudget, ConnectOptions, create_budgeted_engine, normalise_url
from comandia.server.db.sessions import Databases
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import NotFound, ValidationFailed
from comandia.shared.schemas.tenants import TenantInfo
from tests.faults.balancer import pgbouncer
from tests.faults.cluster import killable_cluster
from tests.plugins.tenants import leave_server


def test_only_the_pooler_s_address_counts_as_behind_it() -> None:
    options = ConnectOptions(pooler=("127.0.0.1", 6432))
    assert options.behind_pooler(make_url("postgresql+psycopg://t:p@127.0.0.1:6432/tenant"))
    assert not options.behind_pooler(make_url("postgresql+psycopg://t:p@127.0.0.1:5432/tenant"))
    assert not options.behind_pooler(make_url("postgresql+psycopg://t:p@db2.internal:6432/tenant"))
    assert not ConnectOptions().behind_pooler(make_url("postgresql+psycopg://t:p@127.0.0.1:6432/tenant"))


def test_tenants_of_the_primary_server_go_through_the_pooler_and_the_control_database_does_not(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    pooled = Databases(
        replace(runtime.config, tenant_pooler_url="postgresql://127.0.0.1:6999"),
        runtime.databases.primary_url,
        runtime.databases.box,
    )
    try:
        url = pooled._tenant_url(tenant.id)
        assert (url.host, url.port, url.database) == ("127.0.0.1", 6999, tenant.database)
        assert not {"host", "port"} & set(url.query), "a Unix socket's directory would win over the pooler's address"
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
    for options, prepare_threshold, timeout in (
        (ConnectOptions(pooler=pooler), None, "0"),
        (ConnectOptions(statement_timeout_ms=7000), 5, "7s"),
    ):
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


def test_tenants_of_another_server_go_through_that_server_s_own_pgbouncer(runtime: Runtime) -> None:
    """A second throwaway cluster with Debian's PgBouncer (transaction mode) in front, registered
    with its pooler (`comandia-admin server pooler`): its tenants log in to PgBouncer with their own
    roles and work there; back to direct, they reach the cluster itself."""
    name = f"pooled-{secrets.token_hex(3)}"
    with killable_cluster("pooled") as cluster, pgbouncer(cluster.url) as pooler:
        runtime.servers.add(name, cluster.url, actor="tests")
        try:
            assert runtime.servers.set_pooler(name, pooler.url, actor="tests").pooler_url == pooler.url
            tenant = runtime.tenants.create(NewTenant(f"Pooled {name}", server=name), actor="tests")
            engine = runtime.databases.tenant_engines.get(tenant.id)
            assert (engine.url.host, engine.url.port) == ("127.0.0.1", pooler.port)
            for _ in range(8):  # more than psycopg's prepare threshold: each is its own transaction
                with runtime.databases.tenant_session(tenant.id) as session:
                    assert session.scalar(sa.text("SELECT tenant_id FROM tenant_info")) == tenant.id
            with engine.connect() as connection:
                assert connection.connection.driver_connection.prepare_threshold is None
            assert f"db={tenant.database} user=" in pooler.log_tail(100_000), "PgBouncer saw the tenant's logins"
            assert runtime.servers.set_pooler(name, None, actor="tests").pooler_url is None
            direct = runtime.databases.tenant_engines.get(tenant.id)
            assert (direct.url.host, direct.url.port) == ("127.0.0.1", cluster.port)
            with runtime.databases.tenant_session(tenant.id) as session:
                assert session.scalar(sa.text("SELECT tenant_id FROM tenant_info")) == tenant.id
        finally:
            leave_server(runtime, name, cluster.url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6432",
        "postgresql://user:secret@127.0.0.1:6432",
        "postgresql://127.0.0.1:6432/tenant",
        "postgresql://",
        "not a url",
    ],
)
def test_a_pooler_is_a_host_and_port_and_nothing_else(runtime: Runtime, url: str) -> None:
    with pytest.raises(ValidationFailed):
        runtime.servers.set_pooler("main", url, actor="tests")
    with pytest.raises(NotFound):
        runtime.servers.set_pooler("no-such-server", "postgresql://127.0.0.1:6432", actor="tests")


def test_a_pooler_changed_while_a_process_was_not_listening_is_picked_up_when_it_listens_again(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    away = Databases(runtime.config, runtime.databases.primary_url, runtime.databases.box)  # another process
    try:
        direct = away.tenant_engines.get(tenant.id).url
        with runtime.databases.control_session() as session:  # set by a process whose NOTIFY it missed
            session.execute(
                sa.update(DbServer).where(DbServer.name == "main").values(pooler_url="postgresql://127.0.0.1:6999")
            )
            session.commit()
        assert away.tenant_engines.get(tenant.id).url == direct  # nothing told it yet
        away.recheck_poolers()  # what its change listener does after reconnecting
        pooled = away.tenant_engines.get(tenant.id).url
        assert (pooled.host, pooled.port, pooled.database) == ("127.0.0.1", 6999, tenant.database)
    finally:
        with runtime.databases.control_session() as session:
            session.execute(sa.update(DbServer).where(DbServer.name == "main").values(pooler_url=None))
            session.commit()
        away.close()
