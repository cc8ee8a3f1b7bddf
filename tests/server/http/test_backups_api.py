"""Backups over the API: back up now with a restore check, the per-tenant state (R10), restore as a
new tenant, a damaged backup caught; superadmins only."""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import Path

import pytest

from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from comandia.shared.client.errors import ForbiddenError, NotFoundError
from comandia.shared.schemas.catalog import ProductInput
from tests.plugins.api import World


def test_back_up_now_is_proven_by_a_restore_and_shown_per_tenant(superadmin_client: ApiClient, world: World) -> None:
    backups = superadmin_client.backups
    backup, check = backups.run(world.tenant_a.id)
    assert backup.status == "ok" and backup.tenant_id == world.tenant_a.id
    assert check is not None and check.ok and check.stage == "compare" and check.tables > 0
    assert backup.verify_result == "ok" and backup.verified_at is not None
    assert backup.id in [b.id for b in backups.list(world.tenant_a.id)]
    assert world.tenant_a.id not in {b.tenant_id for b in backups.list(world.tenant_b.id)}
    states = {s.tenant_id: s for s in backups.states()}
    mine = states[world.tenant_a.id]
    assert mine.tenant_name == world.tenant_a.name and mine.last_verified_at == backup.verified_at
    assert mine.last_backup_status == "ok" and not mine.last_check_failed


def test_restore_as_a_new_tenant_brings_the_data(superadmin_client: ApiClient, world: World) -> None:
    sku = f"R-{secrets.token_hex(3)}"
    superadmin_client.catalog.create_product(
        world.tenant_a.id, ProductInput(sku=sku, name="Torta", price=Decimal("45.50"))
    )
    backup, _ = superadmin_client.backups.run(world.tenant_a.id, verify=False)
    copy = superadmin_client.backups.restore_as(backup.id, f"Copia {secrets.token_hex(3)}")
    assert copy.id != world.tenant_a.id
    restored = {p.sku: p.price for p in superadmin_client.catalog.list_products(copy.id)}
    assert restored[sku] == Decimal("45.50")


def test_a_damaged_backup_fails_its_check_and_the_tenant_shows_it(
    superadmin_client: ApiClient, world: World, runtime: Runtime
) -> None:
    backup, _ = superadmin_client.backups.run(world.tenant_b.id, verify=False)
    folder = Path(runtime.services.backups.get(backup.id).path)
    dump = next(p for p in folder.iterdir() if p.name != "manifest.json")
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))
    check = superadmin_client.backups.verify(backup.id)
    assert not check.ok and check.stage == "integrity"
    state = next(s for s in superadmin_client.backups.states() if s.tenant_id == world.tenant_b.id)
    assert state.last_check_failed


def test_managers_never_see_backups(manager_a_client: ApiClient, superadmin_client: ApiClient, world: World) -> None:
    backup, _ = superadmin_client.backups.run(world.tenant_a.id, verify=False)
    with pytest.raises(ForbiddenError):
        manager_a_client.backups.list(world.tenant_a.id)
    with pytest.raises(ForbiddenError):
        manager_a_client.backups.run(world.tenant_a.id)
    with pytest.raises(ForbiddenError):
        manager_a_client.backups.states()
    with pytest.raises(ForbiddenError):
        manager_a_client.backups.restore_as(backup.id, "Robada")
    with pytest.raises(NotFoundError):
        superadmin_client.backups.verify(987_654_321)
    with pytest.raises(NotFoundError):
        superadmin_client.backups.run("t0000000000zz")
