"""Superadmin actions over the API are recorded in the audit log under the acting user's name."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from comandia.server.db.control_models import AuditEntry
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from tests.plugins.api import World


def test_user_changes_over_the_api_are_audited_with_the_actor(
    superadmin_client: ApiClient, runtime: Runtime, world: World
) -> None:
    name = f"auditada-{secrets.token_hex(3)}"
    user = superadmin_client.users.create(name, "a good password", "manager", world.tenant_a.id)
    superadmin_client.users.update(user.id, disabled=True)
    with runtime.databases.control_session() as session:
        entries = session.execute(
            sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.tenant_id)
            .where(AuditEntry.detail["username"].astext == name)
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(e) for e in entries] == [
        (world.superadmin.username, "user.create", world.tenant_a.id),
        (world.superadmin.username, "user.disable", world.tenant_a.id),
    ]


def test_members_see_their_own_tenant_only(
    manager_a_client: ApiClient, viewer_a_client: ApiClient, world: World
) -> None:
    assert manager_a_client.tenants.get(world.tenant_a.id).name == world.tenant_a.name
    assert viewer_a_client.tenants.get(world.tenant_a.id).id == world.tenant_a.id
