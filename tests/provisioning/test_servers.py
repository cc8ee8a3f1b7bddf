"""Two PostgreSQL servers: tenants are placed on both, by policy or by name."""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest
import sqlalchemy as sa

from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import Conflict
from tests.plugins.postgres import EmbeddedCluster


def test_tenants_are_placed_on_two_servers(
    runtime: Runtime, second_cluster: EmbeddedCluster, extra_server: str
) -> None:
    name = extra_server
    with pytest.raises(Conflict):
        runtime.servers.add(name, second_cluster.url, actor="tests")
    pinned = runtime.tenants.create(NewTenant(f"Pinned {name}", server=name), actor="tests")
    assert pinned.server == name
    placed = [runtime.tenants.create(NewTenant(f"Main {name}", server="main"), actor="tests")]
    for i in range(3):
        load = {s.name: s.tenants for s in runtime.servers.list() if s.accepts_tenants}
        tenant = runtime.tenants.create(NewTenant(f"Placed {name} {i}"), actor="tests")
        assert load[tenant.server] == min(load.values()), (load, tenant.server)  # fewest tenants wins
        placed.append(tenant)
    counts = Counter(t.server for t in placed)
    assert counts[name] >= 1 and counts["main"] >= 1, counts

    conninfo = second_cluster.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        on_second = {r[0] for r in connection.execute("SELECT datname FROM pg_database")}
    assert {t.database for t in placed + [pinned] if t.server == name} <= on_second
    assert not {t.database for t in placed if t.server == "main"} & on_second
    for tenant in placed + [pinned]:
        with runtime.databases.tenant_session(tenant.id) as session:
            assert session.scalar(sa.text("SELECT tenant_id FROM tenant_info")) == tenant.id

    listed = {s.name: s for s in runtime.servers.list(probe=True)}
    assert listed[name].reachable is True and listed[name].tenants == counts[name] + 1
    drained = runtime.servers.set_accepting(name, False, actor="tests")
    assert drained.accepts_tenants is False
    assert runtime.tenants.create(NewTenant(f"After drain {name}"), actor="tests").server != name
