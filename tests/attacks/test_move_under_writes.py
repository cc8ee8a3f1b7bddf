"""Issue 14, moves under writes: a tenant moved to another server while orders and webhooks arrive.

The real app on Waitress; the tenant on the main server, a second real PostgreSQL registered as
a server. Four manager writers and one superadmin writer place orders over HTTP, two senders post
signed Meta webhooks, each retrying its own write until it is acknowledged (as the console and
WhatsApp do). Meanwhile `comandia-admin tenant move`'s service moves the tenant.

Pass: every acknowledged order and message is in the moved database exactly once; every write
is acknowledged in the end; during the frozen window orders (the superadmin's too) get 503 with
`Retry-After`, never 500, and webhooks are acknowledged all along (the ingest journal keeps them
until the moved database takes them); the source role is NOLOGIN. The window is printed, as the move
measures it and as the writers saw it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import pytest
import requests

from comandia.server.db.control_models import Tenant
from comandia.server.wiring import Runtime
from comandia.shared.schemas.tenants import TenantInfo
from tests.attacks.writers import message_id, order_tag, stored_tags, writing
from tests.plugins.postgres import EmbeddedCluster


def _role_can_connect(cluster_url: str, database: str, role: str, password: str) -> str:
    conninfo = psycopg.conninfo.make_conninfo(
        cluster_url.replace("postgresql+psycopg://", "postgresql://"), dbname=database, user=role, password=password
    )
    try:
        with psycopg.connect(conninfo, connect_timeout=5):
            return "connected"
    except psycopg.OperationalError as error:
        return str(error)


@pytest.fixture
def moving_tenant(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> TenantInfo:
    return make_tenant(server="main")


def test_a_tenant_moved_under_writes_loses_nothing_and_refuses_writes_retryably_while_frozen(
    runtime: Runtime,
    api_url: str,
    extra_server: str,
    second_cluster: EmbeddedCluster,
    moving_tenant: TenantInfo,
) -> None:
    tenant = moving_tenant.id
    with writing(runtime, api_url, tenant) as writers:
        time.sleep(0.7)
        moving = time.monotonic()
        report = runtime.services.moves.move(tenant, extra_server, actor="tests")
        moved = time.monotonic()
        time.sleep(0.7)
    orders, messages = writers.orders, writers.messages
    print(f"\nmove under writes: frozen {report.frozen_seconds:.2f} s of {report.seconds:.2f} s; {writers.summary()}")

    writers.check_frozen_answers()
    # refused only while the move ran: answered after it began, sent before it ended
    assert all(moving <= answered and sent <= moved for sent, answered in writers.refused)

    assert runtime.tenants.get(tenant).server == extra_server
    notes, wamids = stored_tags(runtime, tenant)
    assert all(notes[order_tag(tag)] == 1 for tag in orders.acknowledged), "every acknowledged order, once"
    assert sum(notes.values()) == len(orders.acknowledged), "no order stored twice or unacknowledged"
    assert all(wamids[message_id(tag)] == 1 for tag in messages.acknowledged)
    assert sum(wamids.values()) == len(messages.acknowledged)

    # the kept source copy stays frozen: its role cannot log in, so nothing writes to the stale copy
    with runtime.databases.control_session() as session:
        row = session.get(Tenant, tenant)
        assert row is not None
        role, database, password = (
            row.role_name,
            row.database_name,
            runtime.databases.box.open(row.role_password_sealed),
        )
    main_url = runtime.databases.primary_cluster().admin_url.render_as_string(hide_password=False)
    assert "not permitted to log in" in _role_can_connect(main_url, database, role, password)
    assert _role_can_connect(second_cluster.url, database, role, password) == "connected"
    # the manager's session survived the move: no new login needed
    assert (
        requests.get(
            f"{api_url}/api/v1/auth/me", timeout=10, headers={"Authorization": f"Bearer {writers.manager_token}"}
        ).status_code
        == 200
    )
