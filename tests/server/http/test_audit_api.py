"""GET /admin/audit: superadmins read the audit log, newest first, filtered and paged."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest

from comandia.shared.client import ApiClient, ForbiddenError, ValidationError
from comandia.shared.schemas.audit import AuditQuery
from tests.plugins.api import World


def test_the_audit_log_is_filtered_by_tenant_actor_action_and_day_and_paged(
    superadmin_client: ApiClient, world: World
) -> None:
    names = [f"aud-{secrets.token_hex(3)}" for _ in range(3)]
    for name in names:
        superadmin_client.users.create(name, "a good password", "viewer", world.tenant_b.id)
    actor, today = world.superadmin.username, dt.datetime.now(dt.UTC).date()
    query = AuditQuery(
        tenant_id=world.tenant_b.id, actor=actor, action="user", first_day=today, last_day=today, limit=2
    )
    first = superadmin_client.audit.list(query)
    assert len(first.items) == 2 and first.next_cursor is not None
    assert [e.detail["username"] for e in first.items] == [names[2], names[1]]  # newest first
    assert {(e.actor, e.action, e.tenant_id) for e in first.items} == {(actor, "user.create", world.tenant_b.id)}
    second = superadmin_client.audit.list(AuditQuery(**{**query.__dict__, "cursor": first.next_cursor}))
    assert second.items[0].detail["username"] == names[0]
    assert superadmin_client.audit.list(AuditQuery(action="user.create", actor=actor, limit=1)).items
    yesterday = today - dt.timedelta(days=1)
    assert superadmin_client.audit.list(AuditQuery(actor=actor, last_day=yesterday)).items == ()
    assert superadmin_client.audit.list(AuditQuery(action="user.cre")).items == ()  # a family ends at a dot


def test_only_a_superadmin_reads_it_and_bad_filters_are_422(
    superadmin_client: ApiClient, manager_a_client: ApiClient
) -> None:
    with pytest.raises(ForbiddenError):
        manager_a_client.audit.list()
    today = dt.date(2026, 1, 2)
    with pytest.raises(ValidationError):
        superadmin_client.audit.list(AuditQuery(first_day=today, last_day=today - dt.timedelta(days=1)))
    with pytest.raises(ValidationError):
        superadmin_client.audit.list(AuditQuery(cursor="not-a-cursor"))
