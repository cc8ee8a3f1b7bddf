"""Writers that keep writing to one tenant over HTTP while it is frozen (a move, a restore in place).

Manager and superadmin writers place orders, senders post signed Meta webhooks; each retries its
own write until it is acknowledged, as the console and WhatsApp do. A `Tally` per kind records
every answer, the 503s with when they were sent and answered, and what was never acknowledged.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import requests
import sqlalchemy as sa

from comandia.server.providers.signatures import meta_signature
from comandia.server.services.messaging.journal import IngestJournal
from comandia.server.services.messaging.numbers import NewNumber
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.wiring import Runtime
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from tests.plugins.api import make_actor
from tests.plugins.messaging import META_APP_SECRET, PNID_1, load_fixture

RETRY_PAUSE = 0.03  # shorter than Retry-After on purpose: the writers measure the window
GIVE_UP_AFTER = 60.0
WAMID = "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFjNFQjAT1"
SKU = "FREEZE-1"


@dataclass
class Tally:
    acknowledged: list[str] = field(default_factory=list)
    acknowledged_at: dict[str, tuple[float, float]] = field(default_factory=dict)  # tag: (sent, answered)
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
                self.acknowledged_at[tag] = (sent, time.monotonic())
                return True
            if response.status_code == 503:
                self.refused.append((sent, time.monotonic()))
                self.refused_without_retry_after += "Retry-After" not in response.headers
                self.refused_superadmin += superadmin
                self.details[response.json().get("detail", "")[:80]] += 1
        return False


def keep_writing(
    stop: threading.Event, tally: Tally, send: Callable[[str], requests.Response], superadmin: bool = False
) -> None:
    """Write new things until `stop`; each one is retried until acknowledged (or given up)."""
    while not stop.is_set():
        tag = secrets.token_hex(6)
        started = time.monotonic()
        while not tally.answer(tag, time.monotonic(), send(tag), superadmin):
            if time.monotonic() - started > GIVE_UP_AFTER:
                tally.unacknowledged.append(tag)
                break
            time.sleep(RETRY_PAUSE)


@dataclass
class Writers:
    orders: Tally
    messages: Tally
    manager_token: str

    @property
    def refused(self) -> list[tuple[float, float]]:
        """(sent, answered) of every 503, orders and webhooks."""
        return self.orders.refused + self.messages.refused

    def summary(self) -> str:
        """How long the writers saw 503s and what each kind was answered, for the test's printout."""
        refused = self.refused
        seen = max(answered for _, answered in refused) - min(sent for sent, _ in refused) if refused else 0.0
        return (
            f"writers saw 503s for {seen:.2f} s; orders {dict(self.orders.statuses)}, webhooks "
            f"{dict(self.messages.statuses)}; {len(self.orders.acknowledged)} orders and "
            f"{len(self.messages.acknowledged)} messages acknowledged"
        )

    def check_frozen_answers(self) -> None:
        """What a frozen tenant owes its writers: never another status than 201/200/503 (no 500, no
        401/403), every write acknowledged in the end, orders (the superadmin's too) refused with
        `Retry-After` and a retryable detail, webhooks acknowledged all along (the ingest journal
        keeps them until the tenant's database takes them)."""
        orders, messages = self.orders, self.messages
        assert set(orders.statuses) <= {201, 503} and set(messages.statuses) <= {200, 503}, "never a 500"
        assert orders.unacknowledged == [] and messages.unacknowledged == []
        assert orders.statuses[503] > 0, "the orders met the frozen window"
        assert set(messages.statuses) == {200}, "the ingest journal took the webhooks through the frozen window"
        assert orders.refused_superadmin > 0, "the superadmin's writes were refused too"
        assert orders.refused_without_retry_after == 0 and messages.refused_without_retry_after == 0
        assert all(detail.endswith("try again shortly") for detail in orders.details | messages.details), (
            orders.details,
            messages.details,
        )


@contextmanager
def writing(
    runtime: Runtime, api_url: str, tenant: str, managers: int = 4, superadmins: int = 1, senders: int = 2
) -> Iterator[Writers]:
    """Writers placing orders (as managers and superadmins) and posting signed webhooks to `tenant`
    from entry until exit; exit stops them and waits for each to finish its current write."""
    manager = make_actor(runtime, "manager", tenant)
    superadmin = make_actor(runtime, "superadmin", None)
    runtime.services.catalog.create_product(tenant, ProductInput(sku=SKU, name="Taco", price=Decimal("25.00")))
    customer = runtime.services.customers.create(tenant, CustomerInput(phone="+5215512345678", name="Ana"))
    number_id = f"9{secrets.randbelow(10**14):014d}"
    runtime.services.numbers.add(
        tenant,
        NewNumber(
            e164=f"+1555{secrets.randbelow(10**7):07d}",
            phone_number_id=number_id,
            provider="meta",
            waba_id="102290129340398",
            access_token="EAAG-test",
            app_secret=META_APP_SECRET,
        ),
        actor="tests",
    )
    body, headers = load_fixture("meta", "messages__text")
    assert WAMID.encode() in body and PNID_1.encode() in body
    body = body.replace(PNID_1.encode(), number_id.encode())
    orders_url = f"{api_url}/api/v1/tenants/{tenant}/orders"

    def order_as(token: str) -> Callable[[str], requests.Response]:
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token}", "Accept-Language": "en"})

        def send(tag: str) -> requests.Response:
            return session.post(
                orders_url,
                timeout=30,
                json={"customer_id": customer.id, "items": [{"quantity": 1, "sku": SKU}], "notes": f"tag {tag}"},
            )

        return send

    def webhook() -> Callable[[str], requests.Response]:
        session = requests.Session()
        session.headers["Accept-Language"] = "en"

        def send(tag: str) -> requests.Response:
            unique = body.replace(WAMID.encode(), f"wamid.FREEZE{tag}".encode())
            return session.post(
                f"{api_url}/webhooks/meta",
                data=unique,
                timeout=30,
                headers={**headers, "X-Hub-Signature-256": meta_signature(unique, META_APP_SECRET)},
            )

        return send

    orders, messages = Tally(), Tally()
    stop = threading.Event()
    threads = [
        threading.Thread(target=keep_writing, args=(stop, orders, order_as(manager.token))) for _ in range(managers)
    ]
    threads += [
        threading.Thread(target=keep_writing, args=(stop, orders, order_as(superadmin.token), True))
        for _ in range(superadmins)
    ]
    threads += [threading.Thread(target=keep_writing, args=(stop, messages, webhook())) for _ in range(senders)]
    for thread in threads:
        thread.start()
    try:
        yield Writers(orders, messages, manager.token)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=GIVE_UP_AFTER + 30)


def order_tag(tag: str) -> str:
    """The order's `notes` for a writer's tag."""
    return f"tag {tag}"


def message_id(tag: str) -> str:
    """The stored wamid for a sender's tag."""
    return f"wamid.FREEZE{tag}"


def stored_tags(runtime: Runtime, tenant: str) -> tuple[Counter[str], Counter[str]]:
    """How many times each order note and each message id is in `tenant`'s database, once the
    ingest journal is delivered."""
    deliver_journal(runtime)
    with runtime.databases.tenant_session(tenant) as session:
        notes = Counter(session.scalars(sa.text("SELECT notes FROM orders")).all())
        wamids = Counter(session.scalars(sa.text("SELECT provider_message_id FROM inbox")).all())
    return notes, wamids


def deliver_journal(runtime: Runtime) -> None:
    """What the server's drain thread does within a second: the ingest journal into the tenants'
    databases (the app these tests serve runs without the server's threads)."""
    journal = IngestJournal(runtime.databases, DirtyTenants(), runtime.services.number_directory.touch)
    while journal.drain():
        pass
