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

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
import pytest
import requests
import sqlalchemy as sa

from comandia.server.db.control_models import Tenant
from comandia.server.providers.signatures import meta_signature
from comandia.server.services.messaging.journal import IngestJournal
from comandia.server.services.messaging.numbers import NewNumber
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.wiring import Runtime
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.api import make_actor
from tests.plugins.messaging import META_APP_SECRET, PNID_1, load_fixture
from tests.plugins.postgres import EmbeddedCluster

ORDER_WRITERS, WEBHOOK_SENDERS = 4, 2
RETRY_PAUSE = 0.03  # shorter than Retry-After on purpose: the writers measure the window
GIVE_UP_AFTER = 60.0
WAMID = "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFjNFQjAT1"


@dataclass
class Tally:
    acknowledged: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    refused: list[tuple[float, float]] = field(default_factory=list)  # (sent, answered) of each 503
    refused_without_retry_after: int = 0
    refused_superadmin: int = 0
    details: Counter[str] = field(default_factory=Counter)
    unacknowledged: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, tag: str, sent: float, response: requests.Response, superadmin: bool = False) -> bool:
        """Record one answer to a write sent at `sent`; True when the write was acknowledged."""
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code in (200, 201):
                self.acknowledged.append(tag)
                return True
            if response.status_code == 503:
                self.refused.append((sent, time.monotonic()))
                self.refused_without_retry_after += "Retry-After" not in response.headers
                self.refused_superadmin += superadmin
                self.details[response.json().get("detail", "")[:80]] += 1
        return False


def _keep_writing(stop: threading.Event, tally: Tally, send: Callable[[str], requests.Response],
                  superadmin: bool = False) -> None:
    """Write new things until `stop`; each one is retried until acknowledged (or given up)."""
    while not stop.is_set():
        tag = secrets.token_hex(6)
        started = time.monotonic()
        while not tally.answer(tag, time.monotonic(), send(tag), superadmin):
            if time.monotonic() - started > GIVE_UP_AFTER:
                tally.unacknowledged.append(tag)
                break
            time.sleep(RETRY_PAUSE)


def _role_can_connect(cluster_url: str, database: str, role: str, password: str) -> str:
    conninfo = psycopg.conninfo.make_conninfo(
        cluster_url.replace("postgresql+psycopg://", "postgresql://"), dbname=database, user=role,
        password=password)
    try:
        with psycopg.connect(conninfo, connect_timeout=5):
            return "connected"
    except psycopg.OperationalError as error:
        return str(error)


@pytest.fixture
def moving_tenant(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> TenantInfo:
    return make_tenant(server="main")


def test_a_tenant_moved_under_writes_loses_nothing_and_refuses_orders_retryably_while_frozen(
    runtime: Runtime, api_url: str, extra_server: str, second_cluster: EmbeddedCluster,
    moving_tenant: TenantInfo,
) -> None:
    tenant = moving_tenant.id
    manager = make_actor(runtime, "manager", tenant)
    superadmin = make_actor(runtime, "superadmin", None)
    sku = "MOVE-1"
    runtime.services.catalog.create_product(tenant, ProductInput(sku=sku, name="Taco", price=Decimal("25.00")))
    customer = runtime.services.customers.create(tenant, CustomerInput(phone="+5215512345678", name="Ana"))
    number_id = f"9{secrets.randbelow(10**14):014d}"
    runtime.services.numbers.add(tenant, NewNumber(
        e164=f"+1555{secrets.randbelow(10**7):07d}", phone_number_id=number_id, provider="meta",
        waba_id="102290129340398", access_token="EAAG-test", app_secret=META_APP_SECRET), actor="tests")
    body, headers = load_fixture("meta", "messages__text")
    assert WAMID.encode() in body and PNID_1.encode() in body
    body = body.replace(PNID_1.encode(), number_id.encode())

    orders_url = f"{api_url}/api/v1/tenants/{tenant}/orders"

    def order_as(token: str) -> Callable[[str], requests.Response]:
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token}", "Accept-Language": "en"})

        def send(tag: str) -> requests.Response:
            return session.post(orders_url, timeout=30, json={
                "customer_id": customer.id, "items": [{"quantity": 1, "sku": sku}], "notes": f"tag {tag}"})
        return send

    def webhook() -> Callable[[str], requests.Response]:
        session = requests.Session()
        session.headers["Accept-Language"] = "en"

        def send(tag: str) -> requests.Response:
            unique = body.replace(WAMID.encode(), f"wamid.MOVE{tag}".encode())
            return session.post(f"{api_url}/webhooks/meta", data=unique, timeout=30, headers={
                **headers, "X-Hub-Signature-256": meta_signature(unique, META_APP_SECRET)})
        return send

    orders, messages = Tally(), Tally()
    stop = threading.Event()
    writers = [threading.Thread(target=_keep_writing, args=(stop, orders, order_as(manager.token)))
               for _ in range(ORDER_WRITERS)]
    writers.append(threading.Thread(target=_keep_writing, args=(stop, orders, order_as(superadmin.token), True)))
    writers += [threading.Thread(target=_keep_writing, args=(stop, messages, webhook()))
                for _ in range(WEBHOOK_SENDERS)]
    for writer in writers:
        writer.start()
    try:
        time.sleep(0.7)
        moving = time.monotonic()
        report = runtime.services.moves.move(tenant, extra_server, actor="tests")
        moved = time.monotonic()
        time.sleep(0.7)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=GIVE_UP_AFTER + 30)

    refused = orders.refused + messages.refused
    seen = max(answered for _, answered in refused) - min(sent for sent, _ in refused) if refused else 0.0
    print(f"\nmove under writes: frozen {report.frozen_seconds:.2f} s of {report.seconds:.2f} s "
          f"(writers saw 503s for {seen:.2f} s); orders {dict(orders.statuses)}, "
          f"webhooks {dict(messages.statuses)}; {len(orders.acknowledged)} orders and "
          f"{len(messages.acknowledged)} messages acknowledged")

    assert set(orders.statuses) <= {201, 503} and set(messages.statuses) <= {200, 503}, "never a 500"
    assert orders.unacknowledged == [] and messages.unacknowledged == []
    assert orders.statuses[503] > 0, "the orders met the frozen window"
    assert set(messages.statuses) == {200}, "the journal took the webhooks through the frozen window"
    assert orders.refused_superadmin > 0, "the superadmin's writes were refused too"
    assert orders.refused_without_retry_after == 0 and messages.refused_without_retry_after == 0
    assert all(detail.endswith("try again shortly") for detail in orders.details | messages.details), (
        orders.details, messages.details)
    # refused only while the move ran: answered after it began, sent before it ended
    assert all(moving <= answered and sent <= moved for sent, answered in refused)

    assert runtime.tenants.get(tenant).server == extra_server
    # What the drain thread does within a second (this app runs without the server's threads).
    journal = IngestJournal(runtime.databases, DirtyTenants(), runtime.services.number_directory.touch)
    while journal.drain():
        pass
    with runtime.databases.tenant_session(tenant) as session:
        notes = Counter(session.scalars(sa.text("SELECT notes FROM orders")).all())
        wamids = Counter(session.scalars(sa.text("SELECT provider_message_id FROM inbox")).all())
    assert all(notes[f"tag {tag}"] == 1 for tag in orders.acknowledged), "every acknowledged order, once"
    assert sum(notes.values()) == len(orders.acknowledged), "no order stored twice or unacknowledged"
    assert all(wamids[f"wamid.MOVE{tag}"] == 1 for tag in messages.acknowledged)
    assert sum(wamids.values()) == len(messages.acknowledged)

    # the kept source copy stays frozen: its role cannot log in, so nothing writes to the stale copy
    with runtime.databases.control_session() as session:
        row = session.get(Tenant, tenant)
        assert row is not None
        role, database, password = row.role_name, row.database_name, runtime.databases.box.open(
            row.role_password_sealed)
    main_url = runtime.databases.primary_cluster().admin_url.render_as_string(hide_password=False)
    assert "not permitted to log in" in _role_can_connect(main_url, database, role, password)
    assert _role_can_connect(second_cluster.url, database, role, password) == "connected"
    # the manager's session survived the move: no new login needed
    assert requests.get(f"{api_url}/api/v1/auth/me", timeout=10,
                        headers={"Authorization": f"Bearer {manager.token}"}).status_code == 200
