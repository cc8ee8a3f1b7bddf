"""`migrate` over many tenants: one failing tenant neither stops the others nor stays half-done."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import sqlalchemy as sa
from alembic import command

from comandia.server.db import migrate
from comandia.server.db.cluster import sa_connection
from comandia.server.wiring import Runtime
from comandia.shared.schemas.tenants import TenantInfo


def set_revision(runtime: Runtime, tenant: TenantInfo, revision: str) -> None:
    with runtime.databases.primary_cluster().connect(tenant.database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = %s", (revision,))


def step_back(runtime: Runtime, tenant: TenantInfo) -> str:
    """Downgrade the tenant by one revision, as its own role; returns the revision it is at."""
    cluster = runtime.databases.primary_cluster()
    with sa_connection(cluster, tenant.database, runtime.databases.budget, runtime.databases.options) as connection:
        config = migrate._config("tenant")  # noqa: SLF001 - the test drives Alembic directly
        with connection.begin():
            connection.execute(sa.text(f'SET LOCAL ROLE "{tenant.database}"'))
            config.attributes["connection"] = connection
            command.downgrade(config, "-1")
        revision = migrate.current_revision(connection)
    assert revision is not None
    return revision


def test_a_failing_tenant_is_reported_and_a_rerun_resumes(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    head = migrate.head_revision("tenant")
    behind, broken, current = make_tenant(), make_tenant(), make_tenant()
    previous = step_back(runtime, behind)
    assert previous != head
    set_revision(runtime, broken, "zzzz_missing")

    report = runtime.migrations.migrate_all()
    assert behind.id in report.upgraded
    assert current.id in report.already_current
    mine = {behind.id, broken.id, current.id}
    assert set(report.failed) & mine == {broken.id}  # other tests' tenants may be broken on purpose
    assert "zzzz_missing" in report.failed[broken.id]
    assert not report.ok
    with runtime.databases.primary_cluster().connect(broken.database) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert row == ("zzzz_missing",)  # untouched, not half-migrated

    set_revision(runtime, broken, head)  # the operator repairs it
    rerun = runtime.migrations.migrate_all()
    assert not set(rerun.failed) & mine
    assert broken.id in rerun.already_current and not set(rerun.upgraded) & mine
    assert {t.schema_revision for t in runtime.tenants.list() if t.id in {behind.id, broken.id}} == {head}


def test_an_upgraded_tenant_still_owns_all_its_objects(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    step_back(runtime, tenant)
    assert tenant.id in runtime.migrations.migrate_all().upgraded
    with runtime.databases.primary_cluster().connect(tenant.database) as connection:
        owners = {
            row[0]
            for row in connection.execute(
                "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
            )
        }
    assert owners == {tenant.database}


def test_the_template_follows_the_tenant_head(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> None:
    make_tenant()
    url = runtime.databases.primary_url.set(drivername="postgresql", database=f"{runtime.config.db_prefix}_template")
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert row == (migrate.head_revision("tenant"),)
