"""Conversations and the live feed: the chat list at 100,000 chats, a 1,000-message transcript,
the changes feed when nothing changed, and how soon a waiting chat and a new order reach consoles.

List, transcript and feed requests go through the whole Falcon app in process (falcon.testing:
middleware, token check, resources, services, SQL), beside `GET /healthz` through the same app
as the bare baseline. Seeding is set-based SQL (generate_series). The latency part serves the
real app under Waitress on loopback with the server's own inbox and outbox workers running
(replies go to the provider stand-in); `--consoles` threads poll the changes feed of one tenant
every second as the console does, while `--busy` other tenants, each with its own number, get a
signed webhook every `--busy-every` seconds each (customers greeting, asking for the menu,
ordering; the bot answers every one). Timed, from the webhook's acknowledgement to the moment
every console has seen it: a waiting chat (the webhook "quiero hablar con un asesor") and a new
order (the webhook of the customer's "sí" that confirms a chat order: the bot places it); an
order typed through the API is timed from its commit, for comparison.
Targets: list p95 < 50 ms; transcript < 300 ms; new order / waiting chat visible <= 2 s with 10
consoles following one tenant and 50 tenants busy.

    .venv/bin/python benchmarks/conversations.py [--chats 100000] [--messages 1000] [--requests 200]
        [--consoles 10] [--trials 10] [--busy 50] [--busy-every 10] [--database-url URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import falcon.testing
import requests
import sqlalchemy as sa
from waitress.server import create_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness import bench_runtime, percentile  # noqa: E402

from comandia.server.app import create_app  # noqa: E402
from comandia.server.providers.signatures import meta_signature  # noqa: E402
from comandia.server.services.bundle import Services  # noqa: E402
from comandia.server.services.messaging.numbers import NewNumber  # noqa: E402
from comandia.server.services.tenancy.tenants import NewTenant  # noqa: E402
from comandia.server.wiring import Runtime, build_jobs, build_services  # noqa: E402
from comandia.shared.schemas.catalog import ProductInput  # noqa: E402
from comandia.shared.schemas.customers import CustomerInput  # noqa: E402
from comandia.shared.schemas.orders import OrderInput, OrderLineInput  # noqa: E402
from tests.plugins.api import stop  # noqa: E402
from tests.plugins.providers import serve_stand_in  # noqa: E402

APP_SECRET = "bench-app-secret"  # noqa: S105 - a throwaway secret of a throwaway database
PNID = "990000000000777"
POLL_SECONDS = 1.0  # as the console (console/changes.py INTERVAL_MS)
SEED_CHATS = """
INSERT INTO conversations (public_id, number_id, customer_key, customer_phone, customer_name, state,
                           last_message_at, last_message_text, last_direction, last_inbound_at, unread)
SELECT substr(md5(g::text), 1, 16), 1, (5215500000000 + g)::text, '+' || (5215500000000 + g)::text,
       'Cliente ' || g, (ARRAY['bot','bot','bot','waiting','human'])[1 + g % 5],
       now() - make_interval(secs => g), 'quiero ' || (g % 7) || ' tacos', (ARRAY['in','out'])[1 + g % 2],
       now() - make_interval(secs => g), g % 3
FROM generate_series(1, :chats) AS g"""
SEED_INBOX = """
INSERT INTO inbox (provider, number_id, provider_message_id, customer_key, kind, payload, received_at,
                   processed_at)
SELECT 'meta', 1, 'wamid.seed.' || g, '5215500000001', 'text',
       jsonb_build_object('raw', '{}'::jsonb, 'customer', jsonb_build_object('wa_id', '5215500000001'),
                          'inbound', jsonb_build_object('kind', 'text', 'text', 'quiero ' || g || ' tacos')),
       now() - make_interval(secs => 2 * (:half - g) + 1), now()
FROM generate_series(1, :half) AS g"""
SEED_OUTBOX = """
INSERT INTO outbox (number_id, customer_wa_id, seq, part, payload, state, status, created_at, sent_at)
SELECT 1, '5215500000001', g, 0,
       jsonb_build_object('kind', 'reply', 'body', 'Van ' || g || ' tacos', 'text', 'Van ' || g || ' tacos',
                          'buttons', jsonb_build_array(jsonb_build_array('menu', 'Ver menú'),
                                                       jsonb_build_array('cart', 'Carrito'))),
       'sent', (ARRAY['delivered','read'])[1 + g % 2], now() - make_interval(secs => 2 * (:half - g)), now()
FROM generate_series(1, :half) AS g"""


def seed(runtime: Runtime, tenant_id: str, chats: int, messages: int) -> str:
    """`chats` conversations, the first with `messages` messages (half each side); returns its id."""
    with runtime.databases.tenant_session(tenant_id) as session:
        session.execute(sa.text(SEED_CHATS), {"chats": chats})
        session.execute(sa.text(SEED_INBOX), {"half": messages // 2})
        session.execute(sa.text(SEED_OUTBOX), {"half": messages // 2})
        session.commit()
        public_id = session.scalar(sa.text("SELECT public_id FROM conversations WHERE customer_key = '5215500000001'"))
    with runtime.databases.tenant_engines.get(tenant_id).connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
    return str(public_id)


def measure(name: str, count: int, call: Callable[[int], falcon.testing.Result], target: str = "") -> list[float]:
    for index in range(min(10, count)):  # warm the pools and caches
        call(index)
    timings = []
    for index in range(count):
        before = time.perf_counter()
        result = call(index)
        timings.append((time.perf_counter() - before) * 1000)
        if result.status_code != 200:
            raise SystemExit(f"{name}: got {result.status_code} {result.text[:300]}")
    print(
        f"{name:<40} p50 {statistics.median(timings):7.2f} ms   p95 {percentile(timings, 95):7.2f} ms"
        f"   max {max(timings):7.2f} ms   {target}"
    )
    return timings


def requests_part(runtime: Runtime, chats: int, messages: int, count: int) -> None:
    tenant = runtime.tenants.create(NewTenant(f"Chats {secrets.token_hex(2)}"), actor="bench")
    started = time.perf_counter()
    chat = seed(runtime, tenant.id, chats, messages)
    print(f"seeded {chats} chats and a {messages}-message transcript in {time.perf_counter() - started:.1f} s")
    runtime.users.create("bench-chats", "bench password", "manager", tenant.id, actor="bench")
    token = runtime.services.auth.login("bench-chats", "bench password", address="bench").token
    client = falcon.testing.TestClient(create_app(runtime.services), headers={"Authorization": f"Bearer {token}"})
    base = f"/api/v1/tenants/{tenant.id}"
    second = client.simulate_get(f"{base}/conversations", params={"limit": 50}).json["next_cursor"]
    cursor = client.simulate_get(f"{base}/changes").json["cursor"]
    measure("baseline GET /healthz", count, lambda _i: client.simulate_get("/healthz"))
    measure(
        f"list newest 50 of {chats}",
        count,
        lambda _i: client.simulate_get(f"{base}/conversations"),
        "(target p95 < 50 ms)",
    )
    measure(
        "list page 2 (cursor)",
        count,
        lambda _i: client.simulate_get(f"{base}/conversations", params={"cursor": second}),
        "(target p95 < 50 ms)",
    )
    measure(
        "list state=waiting",
        count,
        lambda _i: client.simulate_get(f"{base}/conversations", params={"state": "waiting"}),
        "(target p95 < 50 ms)",
    )
    measure(
        f"transcript of {messages} messages",
        max(10, count // 10),
        lambda _i: client.simulate_get(f"{base}/conversations/{chat}"),
        "(target < 300 ms)",
    )
    measure("changes, nothing new", count, lambda _i: client.simulate_get(f"{base}/changes", params={"since": cursor}))


@dataclasses.dataclass
class Console:
    """A thread polling the feed like the console; records when it first saw each awaited ref."""

    url: str
    token: str
    seen: dict[str, float] = dataclasses.field(default_factory=dict)
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)

    def run(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        cursor = session.get(self.url, timeout=10).json()["cursor"]
        self.stop.wait(POLL_SECONDS * secrets.randbelow(1000) / 1000)  # consoles do not poll in step
        while not self.stop.is_set():
            page = session.get(self.url, params={"since": cursor}, timeout=10).json()
            cursor = page["cursor"]
            now = time.perf_counter()
            for item in page["items"]:
                self.seen.setdefault(f"{item['kind']}:{item['ref']}:{item['detail']}", now)
            self.stop.wait(POLL_SECONDS)
        session.close()


def webhook(pnid: str, sender: str, wamid: str, text: str) -> tuple[bytes, dict[str, str]]:
    """A signed Meta webhook: `sender` wrote `text` to the number `pnid`."""
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": pnid},
                                "contacts": [{"profile": {"name": "Ana"}, "wa_id": sender}],
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": wamid,
                                        "timestamp": "1750096325",
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, APP_SECRET)}


BUSY_TEXTS = ("hola", "menú", "quiero 2 tacos", "¿a qué hora cierran?", "carrito", "gracias")


@dataclasses.dataclass
class BusyTenants:
    """`count` other tenants, each with its own number, getting a webhook every `every` seconds."""

    url: str
    pnids: list[str]
    every: float
    sent: int = 0
    failed: int = 0
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)

    def run(self) -> None:
        session = requests.Session()
        gap = self.every / max(1, len(self.pnids))  # spread evenly: len(pnids) / every webhooks a second
        turn = 0
        while not self.stop.is_set():
            pnid = self.pnids[turn % len(self.pnids)]
            sender = f"52155{turn % 997:08d}"
            body, headers = webhook(
                pnid,
                sender,
                f"wamid.busy.{turn}.{secrets.token_hex(4)}",
                BUSY_TEXTS[turn // len(self.pnids) % len(BUSY_TEXTS)],
            )
            try:
                ok = session.post(self.url, data=body, headers=headers, timeout=10).status_code == 200
            except requests.RequestException:
                ok = False
            self.sent, self.failed = self.sent + 1, self.failed + (not ok)
            turn += 1
            self.stop.wait(gap)
        session.close()


def busy_tenants(runtime: Runtime, services: Services, count: int) -> dict[str, str]:
    """`count` tenants with a number each and a small menu: tenant id -> its number's phone number id."""
    pnids = {}
    for index in range(count):
        tenant = runtime.tenants.create(NewTenant(f"Busy {index} {secrets.token_hex(2)}"), actor="bench")
        pnid = f"98{index:013d}"
        services.numbers.add(
            tenant.id,
            NewNumber(
                provider="meta",
                e164=f"+1555100{index:04d}",
                phone_number_id=pnid,
                waba_id="1",
                access_token=APP_SECRET,
                app_secret=APP_SECRET,
            ),
            actor="bench",
        )
        services.catalog.create_product(tenant.id, ProductInput("TACO", "Taco", Decimal("20")))
        pnids[tenant.id] = pnid
    return pnids


CHAT_ORDER = ("quiero 2 tacos", "finalizar", "Ana López", "Av. Siempre Viva 742", "Springfield")
"""A customer's turns up to the order's summary (the bot asks to confirm next)."""


def chat_order(base: str, runtime: Runtime, tenant_id: str, watchers: list[Console], trial: int) -> float:
    """Bring a customer to the summary by webhooks (each answered before the next), then time the
    confirming webhook from its acknowledgement until every console saw the order."""
    sender = f"52156{secrets.randbelow(10**8):08d}"
    for step, text in enumerate(CHAT_ORDER):
        _post(base, webhook(PNID, sender, f"wamid.order.{trial}.{step}.{sender}", text))
        _until_processed(runtime, tenant_id, f"wamid.order.{trial}.{step}.{sender}")
    _post(base, webhook(PNID, sender, f"wamid.order.{trial}.yes.{sender}", "sí"))
    acknowledged = time.perf_counter()
    deadline = acknowledged + 30
    order_id = None
    while order_id is None and time.perf_counter() < deadline:
        with runtime.databases.tenant_session(tenant_id) as session:
            order_id = session.scalar(sa.text("SELECT id FROM orders WHERE customer_phone = :p"), {"p": "+" + sender})
        if order_id is None:
            time.sleep(0.01)
    if order_id is None:
        raise SystemExit(f"the chat of {sender} placed no order: check CHAT_ORDER against the flow")
    return _until_all_saw(watchers, f"order:{order_id}:new", "", acknowledged)


def _answered(runtime: Runtime, tenant_id: str) -> int:
    with runtime.databases.tenant_session(tenant_id) as session:
        return int(session.scalar(sa.text("SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL")) or 0)


def _post(base: str, signed: tuple[bytes, dict[str, str]]) -> None:
    answer = requests.post(f"{base}/webhooks/meta", data=signed[0], headers=signed[1], timeout=10)
    assert answer.status_code == 200, answer.text


def _until_processed(runtime: Runtime, tenant_id: str, wamid: str, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with runtime.databases.tenant_session(tenant_id) as session:
            if session.scalar(
                sa.text("SELECT processed_at IS NOT NULL FROM inbox WHERE provider_message_id = :w"), {"w": wamid}
            ):
                return
        time.sleep(0.02)
    raise SystemExit(f"{wamid} was not answered within {timeout} s")


def latency_part(runtime: Runtime, consoles: int, trials: int, busy: int, busy_every: float) -> None:
    with serve_stand_in() as stand_in:
        config = dataclasses.replace(runtime.config, whatsapp_meta_base=stand_in.url)
        services = build_services(config, runtime.databases)
        jobs = build_jobs(config, runtime.databases, services)
        tenant = runtime.tenants.create(NewTenant(f"Live {secrets.token_hex(2)}"), actor="bench")
        services.numbers.add(
            tenant.id,
            NewNumber(
                provider="meta",
                e164="+15550007777",
                phone_number_id=PNID,
                waba_id="1",
                access_token=APP_SECRET,
                app_secret=APP_SECRET,
            ),
            actor="bench",
        )
        runtime.users.create("bench-live", "bench password", "manager", tenant.id, actor="bench")
        token = services.auth.login("bench-live", "bench password", address="bench").token
        product = services.catalog.create_product(tenant.id, ProductInput("LIVE-1", "Taco", Decimal("20")))
        buyer = services.customers.create(tenant.id, CustomerInput(phone="+5215511112222"))
        started = time.perf_counter()
        pnids = busy_tenants(runtime, services, busy)
        print(f"made {busy} busy tenants with a number each in {time.perf_counter() - started:.1f} s")
        server = create_server(create_app(services), host="127.0.0.1", port=0, threads=config.threads)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        for job in jobs:
            job.start()
        watchers = [Console(f"{base}/api/v1/tenants/{tenant.id}/changes", token) for _ in range(consoles)]
        threads = [threading.Thread(target=w.run, daemon=True) for w in watchers]
        load = BusyTenants(f"{base}/webhooks/meta", list(pnids.values()), busy_every)
        threads.append(threading.Thread(target=load.run, daemon=True))
        for t in threads:
            t.start()
        time.sleep(POLL_SECONDS + 0.5)
        chat_delays: list[float] = []
        order_delays: list[float] = []
        api_delays: list[float] = []
        started = time.perf_counter()
        try:
            for trial in range(trials):
                sender = f"52155{secrets.randbelow(10**8):08d}"
                _post(base, webhook(PNID, sender, f"wamid.live.{trial}.{sender}", "quiero hablar con un asesor"))
                acknowledged = time.perf_counter()
                chat_delays.append(
                    _until_all_saw(watchers, "conversation:", ":waiting", acknowledged, sender, runtime, tenant.id)
                )
                order_delays.append(chat_order(base, runtime, tenant.id, watchers, trial))
                line = OrderLineInput(1, product_id=product.id)
                order = services.orders.create(tenant.id, OrderInput(buyer.id, (line,)), actor="bench")
                placed = time.perf_counter()
                api_delays.append(_until_all_saw(watchers, f"order:{order.id}:new", "", placed))
            load.stop.set()
            time.sleep(3)  # the last webhooks' answers
            answered = sum(_answered(runtime, tenant_id) for tenant_id in pnids)
        finally:
            load.stop.set()
            for w in watchers:
                w.stop.set()
            for t in threads:
                t.join(timeout=5)
            for job in jobs:
                job.stop()
            stop(server, thread)
    seconds = time.perf_counter() - started
    print(
        f"load: {busy} busy tenants, {load.sent} webhooks in {seconds:.0f} s ({load.sent / seconds:.1f}/s, "
        f"{load.failed} not acknowledged 200), {answered} answered by the bot"
    )
    for name, delays in (
        ("waiting chat (webhook ack -> all consoles)", chat_delays),
        ("chat order (confirming webhook ack -> all)", order_delays),
        ("API order (commit -> all consoles)", api_delays),
    ):
        print(
            f"{name:<44} p50 {statistics.median(delays):6.0f} ms   p95 {percentile(delays, 95):6.0f} ms"
            f"   max {max(delays):6.0f} ms   ({consoles} consoles polling every {POLL_SECONDS} s; target <= 2000 ms)"
        )


def _until_all_saw(
    watchers: list[Console],
    prefix: str,
    suffix: str,
    since: float,
    sender: str | None = None,
    runtime: Runtime | None = None,
    tenant_id: str | None = None,
    timeout: float = 30.0,
) -> float:
    """Milliseconds from `since` until every console saw a change matching prefix...suffix."""
    key_ref = ""
    if sender is not None and runtime is not None and tenant_id is not None:
        deadline = time.perf_counter() + timeout
        while not key_ref and time.perf_counter() < deadline:
            with runtime.databases.tenant_session(tenant_id) as session:
                key_ref = (
                    session.scalar(
                        sa.text("SELECT public_id FROM conversations WHERE customer_key = :k"), {"k": sender}
                    )
                    or ""
                )
            if not key_ref:
                time.sleep(0.02)
    wanted = f"{prefix}{key_ref}{suffix}" if key_ref else prefix + suffix
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        times = [w.seen.get(wanted) for w in watchers]
        if all(t is not None for t in times):
            return (max(t for t in times if t is not None) - since) * 1000
        time.sleep(0.01)
    raise SystemExit(f"not every console saw {wanted} within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--consoles", type=int, default=10)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--busy", type=int, default=50, help="other tenants getting webhooks meanwhile")
    parser.add_argument("--busy-every", type=float, default=10.0, help="seconds between webhooks of one busy tenant")
    parser.add_argument("--skip-requests", action="store_true", help="only the live part")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_runtime(args.database_url, "bc") as runtime:
        if not args.skip_requests:
            requests_part(runtime, args.chats, args.messages, args.requests)
        latency_part(runtime, args.consoles, args.trials, args.busy, args.busy_every)


if __name__ == "__main__":
    main()
