"""RELIABILITY R9: SIGKILL `comandia-admin migrate` in the middle of 50 tenant databases, then run it again.

A throwaway cluster (tests/faults/cluster.py) holds 50 tenants, each put back at an older
revision. `comandia-admin migrate` runs as its own process group and is SIGKILLed once some of
them are at head. Pass: every tenant database is at the old revision or at head, never between
(each is upgraded in one transaction: PostgreSQL's DDL is transactional); the rerun reports
50/50 at head and nothing failed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa
from alembic import command

from comandia.server.config import load_config
from comandia.server.db import migrate
from comandia.server.db.bootstrap import ensure_control_database
from comandia.server.db.control_models import Tenant
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import open_runtime
from tests.faults.appliance import PREFIX, SECRET_KEY
from tests.faults.cluster import KillableCluster, killable_cluster

TENANTS = 50
OLD = "t0004"
ADMIN = Path(sys.executable).parent / "comandia-admin"


def _databases(cluster: KillableCluster, home: Path) -> dict[str, tuple[str, str]]:
    """Provision the tenants and put each back at `OLD`; returns id -> (database, role)."""
    config = load_config(
        {"home": home, "database_url": cluster.url, "db_prefix": PREFIX, "secret_key": SECRET_KEY}, env={}
    )
    runtime = open_runtime(config)
    try:
        ensure_control_database(runtime.databases)
        runtime.servers.register_primary()
        for n in range(TENANTS):
            runtime.tenants.create(NewTenant(name=f"R9 shop {n}"), actor="fault-tests")
        with runtime.databases.control_session() as session:
            rows = session.execute(sa.select(Tenant.id, Tenant.database_name, Tenant.role_name)).all()
    finally:
        runtime.close()
    databases = {tenant_id: (database, role) for tenant_id, database, role in rows}
    for database, role in databases.values():
        engine = sa.create_engine(cluster.url.rsplit("/", 1)[0] + f"/{database}", poolclass=sa.pool.NullPool)
        with engine.connect() as connection, connection.begin():
            connection.execute(sa.text(f'SET LOCAL ROLE "{role}"'))
            config_ = migrate._config("tenant")
            config_.attributes["connection"] = connection
            command.downgrade(config_, OLD)
        engine.dispose()
    return databases


def _revisions(cluster: KillableCluster, databases: dict[str, tuple[str, str]]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    base = cluster.conninfo.rsplit("/", 1)[0]
    for tenant_id, (database, _) in databases.items():
        with psycopg.connect(f"{base}/{database}", autocommit=True) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            found[tenant_id] = row[0] if row else None
    return found


def test_r9_a_killed_migration_leaves_each_tenant_old_or_new_and_a_rerun_finishes(tmp_path: Path) -> None:
    head = migrate.head_revision("tenant")
    with killable_cluster("r9") as cluster:
        home = tmp_path / "home"
        databases = _databases(cluster, home)
        assert set(_revisions(cluster, databases).values()) == {OLD}
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMANDIA_")}
        env |= {
            "COMANDIA_DATABASE_URL": cluster.url,
            "COMANDIA_DB_PREFIX": PREFIX,
            "COMANDIA_SECRET_KEY": SECRET_KEY,
            "COMANDIA_HOME": str(home),
        }
        process = subprocess.Popen(
            [str(ADMIN), "--json", "migrate"],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        killed_at = None
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            at_head = sum(1 for revision in _revisions(cluster, databases).values() if revision == head)
            if at_head >= 3:
                os.killpg(process.pid, signal.SIGKILL)
                killed_at = at_head
                break
            time.sleep(0.05)
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()
        assert killed_at is not None, "the migration finished before it could be killed"
        after_kill = _revisions(cluster, databases)
        assert set(after_kill.values()) <= {OLD, head}, after_kill
        old = sum(1 for revision in after_kill.values() if revision == OLD)
        assert old >= 1, "every tenant was already at head: the kill came too late to prove anything"
        rerun = subprocess.run(
            [str(ADMIN), "--json", "migrate"], env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        report = json.loads(rerun.stdout)
        assert report["failed"] == {} and len(report["upgraded"]) + len(report["already_current"]) == TENANTS
        assert len(report["upgraded"]) == old
        assert set(_revisions(cluster, databases).values()) == {head}
        print(
            f"R9: killed with {TENANTS - old}/{TENANTS} at head; the rerun upgraded {old}, reported {TENANTS}/{TENANTS}"
        )
