"""Pipelines (server/db/pipelines.py): a COMMIT queued with the statements commits them all, or none."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from comandia.server.db.pipelines import pipelined
from comandia.server.wiring import Runtime
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")

_ADD = "INSERT INTO categories (name, sort_order) VALUES (%(name)s, 1)"


def names(runtime: Runtime, tenant_id: str) -> set[str]:
    """The categories another session sees: only what was committed."""
    with runtime.databases.tenant_session(tenant_id) as session:
        return set(session.scalars(sa.text("SELECT name FROM categories")))


def test_a_queued_commit_commits_in_the_same_round_trip(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant(name=None)
    with runtime.databases.tenant_session(tenant.id) as session:
        with pipelined(session) as pipeline:
            pipeline.execute(_ADD, {"name": "Tacos"})
            pipeline.commit()
        driver = session.connection().connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        assert driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # nothing left to send
        assert "Tacos" in names(runtime, tenant.id)  # seen before the session's own commit
        session.commit()
    assert "Tacos" in names(runtime, tenant.id)


def test_a_failed_statement_before_the_commit_commits_nothing(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant(name=None)
    with (
        runtime.databases.tenant_session(tenant.id) as session,
        pytest.raises(sa.exc.DBAPIError),
        pipelined(session) as pipeline,
    ):
        pipeline.execute(_ADD, {"name": "Tortas"})
        pipeline.execute("SELECT 1 / 0")
        pipeline.commit()
    assert "Tortas" not in names(runtime, tenant.id)
