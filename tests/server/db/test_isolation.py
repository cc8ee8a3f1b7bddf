"""A tenant's role reaches its own database and nothing else (RELIABILITY S8)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
import sqlalchemy as sa

from comandia.server.db.cluster import harden_own_cluster
from comandia.server.db.control_models import Tenant
from comandia.server.wiring import Runtime
from comandia.shared.schemas.tenants import TenantInfo


def role_url(runtime: Runtime, tenant_id: str, database: str) -> str:
    with runtime.databases.control_session() as session:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        password = runtime.databases.box.open(tenant.role_password_sealed)
        role = tenant.role_name
    url = runtime.databases.primary_url.set(
        drivername="postgresql", username=role, password=password, database=database
    )
    return url.render_as_string(hide_password=False)


def test_each_tenant_role_connects_only_to_its_own_database(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo], request: pytest.FixtureRequest
) -> None:
    tenants = [make_tenant() for _ in range(3)]
    others = [runtime.config.control_database, f"{runtime.config.db_prefix}_template"]
    if "embedded" in request.node.name:  # on the machine's server, `postgres` is the operator's to lock
        harden_own_cluster(runtime.databases.primary_cluster())
        others.append("postgres")
    for tenant in tenants:
        for target in [t.database for t in tenants] + others:
            url = role_url(runtime, tenant.id, target)
            if target == tenant.database:
                with psycopg.connect(url) as connection:
                    assert connection.execute("SELECT tenant_id FROM tenant_info").fetchone() == (tenant.id,)
            else:
                with pytest.raises(psycopg.OperationalError, match="permission denied|not permitted"):
                    psycopg.connect(url).close()


def test_a_tenant_role_cannot_create_temporary_tables_elsewhere_or_escalate(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    with psycopg.connect(role_url(runtime, tenant.id, tenant.database), autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("CREATE ROLE intruder")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(f"CREATE DATABASE {runtime.config.db_prefix}_intruder")


def test_sessions_never_mix_tenants(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> None:
    first, second = make_tenant(), make_tenant()
    for tenant in (first, second, first, second):
        with runtime.databases.tenant_session(tenant.id) as session:
            assert session.scalar(sa.text("SELECT tenant_id FROM tenant_info")) == tenant.id
