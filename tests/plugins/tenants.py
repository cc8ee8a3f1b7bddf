"""A migrated appliance per backend, and `make_tenant` to provision tenants quickly."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from comandia.server.config import ServerConfig, load_config
from comandia.server.db.bootstrap import ensure_control_database
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime, open_runtime
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.postgres import EmbeddedCluster

_names = itertools.count(1)

MakeTenant = Callable[..., TenantInfo]
"""`make_tenant`: a new tenant (a generated name unless given; `fields` go to `NewTenant`)."""


def make_config(home: Path, url: str, prefix: str, **overrides: object) -> ServerConfig:
    return load_config(
        {
            "home": home,
            "database_url": url,
            "db_prefix": prefix,
            "secret_key": "test-secret-key",
            # Nothing in the tests may reach a real provider: a closed loopback port by default,
            # the stand-in server where a test wants answers.
            **{f"whatsapp_{p}_base": "http://127.0.0.1:9" for p in ("meta", "360dialog", "twilio")},
            **overrides,
        },
        env={},
    )


@pytest.fixture(scope="session")
def config(pg_url: str, run_prefix: str, tmp_path_factory: pytest.TempPathFactory) -> ServerConfig:
    return make_config(tmp_path_factory.mktemp("home"), pg_url, run_prefix)


@pytest.fixture(scope="session")
def runtime(config: ServerConfig) -> Iterator[Runtime]:
    """The appliance's services on a migrated control database (shared by the session)."""
    runtime = open_runtime(config)
    ensure_control_database(runtime.databases)
    runtime.servers.register_primary()
    try:
        yield runtime
    finally:
        runtime.close()


@pytest.fixture
def make_tenant(runtime: Runtime) -> MakeTenant:
    def make(name: str | None = None, **fields: str) -> TenantInfo:
        name = name or f"Negocio {next(_names)} {secrets.token_hex(2)}"
        return runtime.tenants.create(NewTenant(name=name, **fields), actor="tests")

    return make


@pytest.fixture
def release_tenant_connections(runtime: Runtime) -> Iterator[None]:
    """Close the pools of the tenants a test used, so later tests find the server quiet (a test
    module asks for it with `pytestmark = pytest.mark.usefixtures("release_tenant_connections")`)."""
    yield
    runtime.databases.tenant_engines.close_all()


def leave_server(runtime: Runtime, name: str, cluster_url: str) -> None:
    """Undo a test's extra server: drained, its tenants deleted, its databases dropped."""
    from tests.plugins.postgres import drop_prefixed

    runtime.servers.set_accepting(name, False, actor="tests")
    for tenant in runtime.tenants.list():
        if tenant.server == name:
            runtime.tenants.delete(tenant.id, actor="tests", keep_backup=False)
    drop_prefixed(cluster_url, runtime.config.db_prefix)


@pytest.fixture
def extra_server(runtime: Runtime, second_cluster: EmbeddedCluster) -> Iterator[str]:
    """A second database server registered with the appliance; drained and emptied afterwards."""
    name = f"second-{runtime.config.db_prefix}"
    known = {s.name: s for s in runtime.servers.list()}
    if name not in known:
        runtime.servers.add(name, second_cluster.url, actor="tests")
    elif not known[name].accepts_tenants:
        runtime.servers.set_accepting(name, True, actor="tests")
    try:
        yield name
    finally:
        leave_server(runtime, name, second_cluster.url)
