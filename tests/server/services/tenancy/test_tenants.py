"""Provisioning: a database and a role per tenant, nothing half-created, IDs never reused."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
import sqlalchemy as sa

from comandia.server.config import ServerConfig
from comandia.server.db.secretbox import SecretBox
from comandia.server.db.sessions import Databases
from comandia.server.services.tenancy.tenants import NewTenant, TenantService
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.domain.ids import is_tenant_id
from comandia.shared.schemas.tenants import TenantInfo


def admin(config: ServerConfig, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
    url = sa.make_url(config.database_url or "").set(drivername="postgresql", database=database)
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def prefixed(config: ServerConfig, kind: str) -> set[str]:
    query = {
        "databases": "SELECT datname FROM pg_database WHERE datname LIKE %s",
        "roles": "SELECT rolname FROM pg_roles WHERE rolname LIKE %s",
    }[kind]
    with admin(config) as connection:
        return {row[0] for row in connection.execute(query, (config.db_prefix + r"\_t%",))}


def test_create_gives_the_tenant_its_own_database_and_role(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant("Taquería Don Pepe", timezone="America/Lima", currency="PEN", server="main")
    assert is_tenant_id(tenant.id)
    assert tenant.database == f"{runtime.config.db_prefix}_{tenant.id}"
    assert (tenant.name, tenant.timezone, tenant.currency, tenant.state) == (
        "Taquería Don Pepe",
        "America/Lima",
        "PEN",
        "active",
    )
    with admin(runtime.config) as connection:
        owner, acl = connection.execute(
            "SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database WHERE datname = %s", (tenant.database,)
        ).fetchone() or (None, None)
        attributes = connection.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = %s",
            (tenant.database,),
        ).fetchone()
    assert owner == tenant.database
    assert acl is not None and "=Tc/" not in acl and not acl.startswith("{=")  # PUBLIC has no CONNECT
    assert attributes == (False, False, False, True)
    with runtime.databases.tenant_session(tenant.id) as session:
        assert session.scalar(sa.text("SELECT tenant_id FROM tenant_info")) == tenant.id
        assert session.scalar(sa.text("SELECT current_user")) == tenant.database
        tables = session.scalars(sa.text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")).all()
        assert tables and set(tables) == {tenant.database}


def test_bad_input_is_refused_before_anything_is_created(runtime: Runtime) -> None:
    before = prefixed(runtime.config, "databases")
    cases = [
        (NewTenant(""), "name"),
        (NewTenant("x" * 121), "name"),
        (NewTenant("Ok", timezone="Mars/Olympus"), "timezone"),
        (NewTenant("Ok", currency="XXX"), "currency"),
        (NewTenant("Ok", locale="fr"), "locale"),
    ]
    for request, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            runtime.tenants.create(request, actor="tests")
        assert field in caught.value.fields
    with pytest.raises(NotFound):
        runtime.tenants.create(NewTenant("Ok", server="nowhere"), actor="tests")
    assert prefixed(runtime.config, "databases") == before


def test_a_duplicate_name_is_a_conflict_whatever_its_case(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    make_tenant("Pizzería Roma Centro")
    with pytest.raises(Conflict, match="already exists"):
        runtime.tenants.create(NewTenant("  pizzería   ROMA centro "), actor="tests")


class SealingFails(SecretBox):
    """Fails at the very last step of a create: writing the registry row."""

    def seal(self, plaintext: str) -> str:
        raise RuntimeError("disk full")


def test_a_failed_create_leaves_no_database_role_or_registry_row(runtime: Runtime) -> None:
    broken = Databases(runtime.config, runtime.databases.primary_url, SealingFails(runtime.config.secret_key or ""))
    try:
        databases_before = prefixed(runtime.config, "databases")
        roles_before = prefixed(runtime.config, "roles")
        tenants_before = {t.id for t in runtime.tenants.list(include_deleted=True)}
        with pytest.raises(RuntimeError, match="disk full"):
            TenantService(broken).create(NewTenant("Half Made"), actor="tests")
        assert prefixed(runtime.config, "databases") == databases_before
        assert prefixed(runtime.config, "roles") == roles_before
        assert {t.id for t in runtime.tenants.list(include_deleted=True)} == tenants_before
    finally:
        broken.close()


def test_deactivate_and_reactivate_keep_the_data(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> None:
    tenant = make_tenant()
    with runtime.databases.tenant_session(tenant.id) as session:
        session.execute(sa.text("SELECT 1"))
    inactive = runtime.tenants.deactivate(tenant.id, actor="tests")
    assert inactive.state == "inactive" and inactive.deactivated_at is not None
    with pytest.raises(Conflict):
        runtime.tenants.deactivate(tenant.id, actor="tests")
    active = runtime.tenants.reactivate(tenant.id, actor="tests")
    assert active.state == "active" and active.deactivated_at is None
    with runtime.databases.tenant_session(tenant.id) as session:
        assert session.scalar(sa.text("SELECT tenant_id FROM tenant_info")) == tenant.id


def test_delete_drops_database_and_role_but_never_frees_the_id(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant("Se Va")
    dump = runtime.tenants.delete(tenant.id, actor="tests", keep_backup=True)
    assert dump is not None and (dump / "manifest.json").is_file()
    assert any(f.suffix == ".dump" and f.stat().st_size > 0 for f in dump.iterdir())
    assert tenant.database not in prefixed(runtime.config, "databases")
    assert tenant.database not in prefixed(runtime.config, "roles")
    with pytest.raises(NotFound):
        runtime.tenants.get(tenant.id)
    deleted = [t for t in runtime.tenants.list(include_deleted=True) if t.id == tenant.id]
    assert deleted and deleted[0].state == "deleted"
    again = runtime.tenants.create(NewTenant("Se Va"), actor="tests")  # the name is free again
    assert again.id != tenant.id


def test_the_control_database_holds_no_tenant_data(runtime: Runtime) -> None:
    with runtime.databases.control_session() as session:
        tables = set(session.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
    business = {"orders", "order_items", "customers", "products", "categories", "messages", "inbox", "outbox"}
    assert not tables & business
    assert {"tenants", "db_servers", "users", "audit_log"} <= tables


def test_every_change_is_in_the_audit_log(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> None:
    tenant = make_tenant()
    runtime.tenants.deactivate(tenant.id, actor="ana")
    with runtime.databases.control_session() as session:
        actions = session.execute(
            sa.text("SELECT actor, action FROM audit_log WHERE tenant_id = :t ORDER BY id"), {"t": tenant.id}
        ).all()
    assert [tuple(a) for a in actions] == [("tests", "tenant.create"), ("ana", "tenant.deactivate")]


def test_a_dropped_template_is_rebuilt_on_the_next_create(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    make_tenant(server="main")
    runtime.databases.primary_cluster().drop_database(f"{runtime.config.db_prefix}_template")
    tenant = make_tenant(server="main")
    with runtime.databases.tenant_session(tenant.id) as session:
        assert session.scalar(sa.text("SELECT tenant_id FROM tenant_info")) == tenant.id
