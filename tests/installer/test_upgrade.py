"""`install.sh upgrade` from the previous release, in a scratch root, with tenants' data.

A wheel of this checkout at 0.1.0 is installed and serves a tenant. An upgrade to a 0.1.1 whose
new tenant migration fails leaves 0.1.0 in use and serving and prints each tenant's revision;
the upgrade to this checkout then migrates every tenant and keeps its data.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.installer.scratch import REPO, admin, build_wheel, free_port, install_sh, installed_server
from tests.plugins.leftovers import owned_prefix
from tests.plugins.postgres import EmbeddedCluster, drop_prefixed

FAILING_MIGRATION = '''"""A migration that fails on every tenant (the installer test's broken release)."""

from alembic import op

revision = "t9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SELECT 1 / 0")


def downgrade() -> None:
    pass
'''


def tenant_head() -> str:
    """The checkout's newest tenant revision (the one no other revision names as its parent)."""
    revisions, parents = set(), set()
    for file in (REPO / "server/db/migrations/tenant/versions").glob("t*.py"):
        text = file.read_text()
        revisions.add(re.search(r'^revision = "(\w+)"', text, re.M).group(1))  # type: ignore[union-attr]
        parent = re.search(r'^down_revision = "(\w+)"', text, re.M)
        if parent:
            parents.add(parent.group(1))
    (head,) = revisions - parents
    return head


@pytest.fixture(scope="module")
def prefix(embedded_cluster: EmbeddedCluster) -> Iterator[str]:
    name = owned_prefix("cu")
    try:
        yield name
    finally:
        drop_prefixed(embedded_cluster.url, name)


@pytest.mark.slow
@pytest.mark.timeout(900)  # three releases are installed (about a minute each) and two wheels built
def test_a_failed_migration_keeps_the_old_release_serving_and_a_good_upgrade_keeps_the_data(
    tmp_path: Path, embedded_cluster: EmbeddedCluster, prefix: str
) -> None:
    head = tenant_head()
    old_wheel = build_wheel("0.1.0", tmp_path / "wheels")
    broken_wheel = build_wheel("0.1.1", tmp_path / "wheels", FAILING_MIGRATION.replace("{head}", head))
    root = tmp_path / "root"
    root.mkdir()
    started = time.monotonic()
    installed = install_sh(
        "install",
        "--root",
        root,
        "--wheel",
        old_wheel,
        "--database-url",
        embedded_cluster.url,
        "--port",
        str(free_port()),
    )
    assert installed.returncode == 0, installed.stderr
    print(f"install 0.1.0 from a wheel: {time.monotonic() - started:.1f} s")
    assert (root / "opt/comandia/current").readlink() == Path("releases/0.1.0")

    with installed_server(root, COMANDIA_DB_PREFIX=prefix) as (_, base):
        created = admin(root, "--json", "tenant", "create", "Tacos Don Pepe", COMANDIA_DB_PREFIX=prefix)
        assert created.returncode == 0, created.stderr
        tenant = json.loads(created.stdout)["id"]
        fee = admin(root, "tenant", "settings", tenant, "--delivery-fee", "35.50", COMANDIA_DB_PREFIX=prefix)
        assert fee.returncode == 0, fee.stderr

        started = time.monotonic()
        broken = install_sh("upgrade", "--root", root, "--wheel", broken_wheel, COMANDIA_DB_PREFIX=prefix)
        print(f"failed upgrade to 0.1.1: {time.monotonic() - started:.1f} s")
        assert broken.returncode == 1, broken.stdout + broken.stderr
        assert "la migración a 0.1.1 falló: sigue en servicio COMANDIA 0.1.0" in broken.stderr
        # Each tenant's revision, and how to finish or roll back.
        assert f"  {tenant}  {head}  active  Tacos Don Pepe" in broken.stderr, broken.stderr
        assert f"FALLÓ {tenant}: division by zero" in broken.stderr
        assert "Traceback" not in broken.stderr
        assert "install.sh upgrade" in broken.stderr and "backup restore" in broken.stderr
        assert (root / "opt/comandia/current").readlink() == Path("releases/0.1.0")
        assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
        # The backup taken before migrating holds the tenant.
        assert list((root / "var/lib/comandia/backups").rglob(f"{tenant}.dump"))

        started = time.monotonic()
        upgraded = install_sh("upgrade", "--root", root, COMANDIA_DB_PREFIX=prefix)
        print(f"upgrade 0.1.0 -> this checkout: {time.monotonic() - started:.1f} s")
        assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
        assert "COMANDIA actualizado de 0.1.0 a" in upgraded.stdout

    version = (root / "opt/comandia/current").readlink().name
    assert version != "0.1.0"
    with installed_server(root, COMANDIA_DB_PREFIX=prefix) as (_, base):
        assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
        listing = admin(root, "--json", "tenant", "list", COMANDIA_DB_PREFIX=prefix)
        (row,) = json.loads(listing.stdout)
        assert (row["id"], row["schema_revision"]) == (tenant, head)
        settings = admin(root, "--json", "tenant", "settings", tenant, COMANDIA_DB_PREFIX=prefix)
        assert json.loads(settings.stdout)["delivery_fee"] == "35.50"
    again = install_sh("upgrade", "--root", root, COMANDIA_DB_PREFIX=prefix)
    assert again.returncode == 0 and f"COMANDIA {version} ya es la versión en uso" in again.stdout
