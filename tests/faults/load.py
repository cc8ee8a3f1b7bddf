"""Signed Meta webhook load for the fault tests: the plan of posts, and the senders that post it.

`build_plan` makes the RELIABILITY R1 load: `unique` signed one-message Meta payloads spread
over the shops (tenants), plus `duplicate_share` exact copies, shuffled over `senders` senders.
Most customers send one message; `order_customers` per shop chat their way to an order (seven
messages). A customer's messages stay in order on one sender, as WhatsApp delivers one
customer's messages one after the other; copies of a message come later than the original on
the same sender, so a duplicate can never overtake the conversation it belongs to.

The senders run in a child process (`python -m tests.faults.load PLAN BASE RESULT [spread]`), so they do
not compete for the test process's GIL with whatever the test does meanwhile. Like Meta, each
sender retries a post until it gets a 200: after any other status, a timeout or a refused
connection it pauses `RETRY_PAUSE` and posts the same bytes again. The child prints `started`
when the first post goes out and writes what happened (which wamids got a 200, how many
retries of which kind) to RESULT as JSON.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from comandia.server.providers.signatures import meta_signature

RETRY_PAUSE = 0.05
POST_TIMEOUT = 10.0
GIVE_UP_AFTER = 240.0  # the senders stop trying after this; the test then reports what is missing
ORDER_SCRIPT: tuple[tuple[str, str], ...] = (
    # (kind, text or button id): the conversation tests/server/services/messaging/test_conversations.py checks.
    ("text", "hola"),
    ("text", "quiero 2 pizzas margarita y una coca"),
    ("button", "checkout"),
    ("button", "usename"),
    ("text", "Av. Reforma 222, depto 3"),
    ("text", "Ciudad de México"),
    ("button", "confirm"),
)
ONE_LINERS = ("hola", "menu", "quiero 2 pizzas margarita", "ayuda")


@dataclass(frozen=True)
class Shop:
    """One tenant's Meta number, as the load addresses it."""

    phone_number_id: str
    app_secret: str


@dataclass(frozen=True)
class Post:
    wamid: str
    signature: str
    body: str


@dataclass
class Plan:
    """Per sender, the posts in the order it sends them; `unique` wamids in all."""

    senders: list[list[Post]]
    wamids: set[str]
    order_customers: int

    @property
    def posts(self) -> int:
        return sum(len(s) for s in self.senders)


def meta_body(shop: Shop, wa_id: str, wamid: str, kind: str, value: str) -> str:
    """One Cloud API message webhook, as Meta sends it (compact JSON)."""
    message: dict[str, Any] = {"from": wa_id, "id": wamid, "timestamp": "1750096325"}
    if kind == "button":
        message |= {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": value, "title": value}},
        }
    else:
        message |= {"type": "text", "text": {"body": value}}
    value_doc = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": shop.phone_number_id},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": wa_id}],
        "messages": [message],
    }
    document = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value_doc}]}],
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def build_plan(
    shops: list[Shop],
    unique: int = 20_000,
    duplicate_share: float = 0.5,
    senders: int = 8,
    order_customers: int = 50,
    seed: int = 7,
) -> Plan:
    """The posts of the load, deterministic for a seed (wamids carry the seed and an index)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible test load, not a secret
    conversations: list[list[Post]] = []
    count = 0

    def post(shop: Shop, wa_id: str, kind: str, value: str) -> Post:
        nonlocal count
        wamid = f"wamid.FAULT{seed:04d}{count:08d}"
        count += 1
        body = meta_body(shop, wa_id, wamid, kind, value)
        return Post(wamid, meta_signature(body.encode(), shop.app_secret), body)

    for index in range(order_customers * len(shops)):
        shop = shops[index % len(shops)]
        conversations.append([post(shop, f"5255{index:08d}", k, v) for k, v in ORDER_SCRIPT])
    customer = 10_000_000
    while count < unique:
        shop = shops[count % len(shops)]
        customer += 1
        conversations.append([post(shop, f"5255{customer:08d}", "text", rng.choice(ONE_LINERS))])
    copied = set(rng.sample(range(count), round(count * duplicate_share)))
    queues: list[list[list[Post]]] = [[] for _ in range(senders)]
    for conversation in conversations:
        copies = [p for p in conversation if int(p.wamid[-8:]) in copied]
        queues[rng.randrange(senders)].append(conversation + copies)
    return Plan([_interleave(q, rng) for q in queues], {p.wamid for c in conversations for p in c}, order_customers)


def _interleave(conversations: list[list[Post]], rng: random.Random) -> list[Post]:
    """Shuffle conversations together, keeping each one's own order (a random merge)."""
    slots = [i for i, c in enumerate(conversations) for _ in c]
    rng.shuffle(slots)
    cursors = [0] * len(conversations)
    merged = []
    for i in slots:
        merged.append(conversations[i][cursors[i]])
        cursors[i] += 1
    return merged


def write_plan(plan: Plan, path: Path) -> None:
    path.write_text(json.dumps([[[p.wamid, p.signature, p.body] for p in s] for s in plan.senders], ensure_ascii=False))


@dataclass
class SenderLog:
    """What the senders saw; merged under `lock` by the threads."""

    acked: dict[str, float] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def sender_connection(base: str, source: str | None) -> http.client.HTTPConnection:
    """A connection to `base` (https: the test proxy's self-signed certificate is not checked),
    from loopback address `source` when given: each sender is then its own client for nginx's
    per-address limits, as the provider's many senders are."""
    address = urlsplit(base)
    bind = (source, 0) if source else None
    if address.scheme == "https":
        return http.client.HTTPSConnection(
            address.hostname or "127.0.0.1",
            address.port,
            timeout=POST_TIMEOUT,
            source_address=bind,
            context=ssl._create_unverified_context(),  # noqa: S323
        )
    return http.client.HTTPConnection(
        address.hostname or "127.0.0.1", address.port, timeout=POST_TIMEOUT, source_address=bind
    )


def send_all(posts: list[list[str]], base: str, started: float, log: SenderLog, source: str | None = None) -> None:
    """One sender: post each body until it is acknowledged (200), pausing between retries."""
    connection = sender_connection(base, source)
    for wamid, signature, body in posts:
        data = body.encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        while time.monotonic() - started < GIVE_UP_AFTER:
            try:
                connection.request("POST", "/webhooks/meta", body=data, headers=headers)
                response = connection.getresponse()
                response.read()
                outcome = str(response.status)
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
                connection.close()  # http.client reconnects on the next request
            with log.lock:
                log.statuses[outcome] += 1
                if outcome == "200":
                    log.acked.setdefault(wamid, time.monotonic() - started)
            if outcome == "200":
                break
            time.sleep(RETRY_PAUSE)
    connection.close()


def main(plan_path: str, base: str, result_path: str, spread: str = "") -> int:
    senders: list[list[list[str]]] = json.loads(Path(plan_path).read_text())
    log = SenderLog()
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=send_all,
            name=f"sender-{i}",
            args=(posts, base, started, log, f"127.0.0.{10 + i}" if spread else None),
        )
        for i, posts in enumerate(senders)
    ]
    print("started", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = {"acked": log.acked, "statuses": dict(log.statuses), "seconds": time.monotonic() - started}
    Path(result_path).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))


class SenderProcess:
    """The senders as a child process (this module's `main`), started on `plan_path`; with
    `spread`, each sender posts from its own loopback address."""

    def __init__(self, plan_path: Path, base: str, result_path: Path, spread: bool = False) -> None:
        self.result_path = result_path
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.faults.load",
                str(plan_path),
                base,
                str(result_path),
                *(["spread"] if spread else []),
            ],
            stdout=subprocess.PIPE,
            start_new_session=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        self.started = time.monotonic()  # t = 0 of the fault schedule: the first post is going out
        if line.strip() != b"started":
            self.kill()
            raise RuntimeError(f"the senders did not start: {line!r}")

    def at(self, seconds: float) -> None:
        """Sleep until `seconds` after the load started."""
        time.sleep(max(0.0, self.started + seconds - time.monotonic()))

    def result(self, timeout: float) -> dict[str, Any]:
        """Wait for the senders to finish; their JSON result."""
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            self.kill()
        assert code == 0, f"the senders exited {code}"
        result: dict[str, Any] = json.loads(self.result_path.read_text())
        return result

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
