"""A tenant restored in place from its backup while orders and webhooks arrive.

The restore freezes the tenant as a move does (its role NOLOGIN, its sessions ended) instead of
deactivating it: orders, the superadmin's included, get 503 with `Retry-After` while the
database is swapped, and are retried into the restored database; webhooks are acknowledged all
along (the ingest journal keeps them until the restored database takes them); the tenant stays active and
its users keep their sessions. Writers: 4 managers and 2 superadmins placing orders, 2 senders
posting signed Meta webhooks, each retrying until acknowledged (`tests/attacks/writers.py`).

Pass: only 201/200/503 (every 503 with Retry-After, the superadmin's refused too, refusals
during the restore); every write acknowledged in the end; what was acknowledged before the backup and
everything sent after the restore is in the restored database exactly once; the manager's
session survives; the audit log shows the restore and no deactivation.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import requests
import sqlalchemy as sa

from comandia.server.db.control_models import AuditEntry
from comandia.server.wiring import Runtime
from comandia.shared.domain.tenants import TenantState
from comandia.shared.schemas.tenants import TenantInfo
from tests.attacks.writers import Tally, message_id, order_tag, stored_tags, writing


def _stored_once(tally: Tally, stored: Counter[str], name: Callable[[str], str], before: float, after: float) -> None:
    """Acknowledged before `before` (in the backup) or sent after `after` (into the restored
    database): stored exactly once. Nothing stored twice, nothing stored unacknowledged."""
    for tag, (sent, answered) in tally.acknowledged_at.items():
        if answered < before or sent > after:
            assert stored[name(tag)] == 1, (tag, sent, answered, before, after)
    assert all(count == 1 for count in stored.values())
    assert set(stored) <= {name(tag) for tag in tally.acknowledged}


def test_a_tenant_restored_in_place_under_writes_is_frozen_not_deactivated_and_loses_nothing_after(
    runtime: Runtime,
    api_url: str,
    make_tenant: Callable[..., TenantInfo],
) -> None:
    tenant = make_tenant().id
    with writing(runtime, api_url, tenant, superadmins=2) as writers:
        time.sleep(0.5)
        backing_up = time.monotonic()
        backup = runtime.services.backups.backup_tenant(tenant, None)
        time.sleep(0.5)
        restoring = time.monotonic()
        runtime.services.restores.restore(tenant, backup.id, actor="tests")
        restored = time.monotonic()
        time.sleep(0.7)
    orders, messages = writers.orders, writers.messages
    print(f"\nrestore under writes: restore {restored - restoring:.2f} s; {writers.summary()}")

    writers.check_frozen_answers()
    refused = writers.refused
    # Refused while the restore ran. A few more may come from a tenant pool that stayed busy past
    # its wait on the loaded box (seen once at load 15, during the backup): printed, allowed.
    inside = [(sent, answered) for sent, answered in refused if restoring <= answered and sent <= restored]
    print(f"refusals: {len(inside)} during the restore, {len(refused) - len(inside)} outside it")
    assert inside, "the refusals came from the restore's frozen window"

    notes, wamids = stored_tags(runtime, tenant)
    _stored_once(orders, notes, order_tag, backing_up, restored)
    _stored_once(messages, wamids, message_id, backing_up, restored)

    assert runtime.tenants.get(tenant).state == TenantState.ACTIVE
    assert (
        requests.get(
            f"{api_url}/api/v1/auth/me", timeout=10, headers={"Authorization": f"Bearer {writers.manager_token}"}
        ).status_code
        == 200
    )
    with runtime.databases.control_session() as session:
        actions = set(session.scalars(sa.select(AuditEntry.action).where(AuditEntry.tenant_id == tenant)))
    assert "tenant.restore" in actions and not actions & {"tenant.deactivate", "tenant.reactivate"}
