"""The WhatsApp transport wired for tests: webhook app, numbers, inbox processor, outbox sender.

`messaging` takes, per test, the appliance's services from the composition root with the
providers pointed at the stand-in, serves the webhook routes on the real middleware stack (as
`create_app` does) in a falcon TestClient, and gives a tenant the numbers the recorded fixtures
in tests/data/webhooks are addressed to. `Messaging.processor()` is an inbox whose bot is
`EchoConversations`, for tests about transport only: it subclasses nothing because it is a
Protocol implementation (`services.messaging.inbox.Conversations`); `services.inbox` runs the real bot.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import falcon
import falcon.testing
import pytest
import sqlalchemy as sa

from comandia.server.chat.model import Answer, CustomerRef, Inbound, Reply, TenantContext, buttons_reply, text_reply
from comandia.server.db.control_models import UnroutableEvent, WhatsAppNumber
from comandia.server.http import problems
from comandia.server.http.auth import Authenticate
from comandia.server.http.middleware import AccessLog, BodyLimit, StrictQuery
from comandia.server.http.openapi import query_parameters
from comandia.server.http.webhooks import add_webhook_routes
from comandia.server.providers.base import Endpoints
from comandia.server.providers.signatures import meta_signature
from comandia.server.services.bundle import Services
from comandia.server.services.messaging.directory import NumberDirectory
from comandia.server.services.messaging.inbox import Conversations, InboxProcessor
from comandia.server.services.messaging.ingest import IngestService
from comandia.server.services.messaging.numbers import NewNumber, NumberService
from comandia.server.services.messaging.outbox import OutboxSender
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime, build_services
from comandia.shared.schemas.numbers import NumberInfo
from comandia.shared.schemas.tenants import TenantInfo, TenantSettingsChange
from tests.plugins.providers import StandIn

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "webhooks"
META_APP_SECRET = "fixture-app-secret"
PNID_1, PNID_2, PNID_360 = "106540352200001", "106540352200002", "106540352200003"
DIALOG_SECRET = "fixture-360-secret"
TWILIO_TO, TWILIO_TOKEN = "+15550003333", "fixture-auth-token"
TWILIO_ACCOUNT = "AC0123456789abcdef0123456789abcdef"
PUBLIC_URL = "https://comandia.example"


def load_fixture(provider: str, name: str) -> tuple[bytes, dict[str, str]]:
    """(raw body, headers) of a recorded webhook."""
    document = json.loads((FIXTURES / provider / f"{name}.json").read_text())
    return document["body"].encode(), dict(document["headers"])


@dataclass
class EchoConversations:
    """Answers every message with one text naming what came in; counts calls per customer."""

    calls: list[tuple[str, str, Inbound]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, tenant: TenantContext, number_id: str, customer: CustomerRef, message: Inbound) -> list[Reply]:
        with self.lock:
            self.calls.append((tenant.tenant_id, customer.key, message))
        if message.kind == "text" and message.text == "menu":
            return [buttons_reply("¿Qué deseas?", [("a", "Tacos"), ("b", "Agua")])]
        return [text_reply(f"eco: {message.text or message.reply_id or message.kind}")]

    def answer(
        self, tenant: TenantContext, number_id: str, customer: CustomerRef, message: Inbound, *, test: bool = False
    ) -> Answer:
        """`handle`'s replies; "persona" is a request for a person (the flow's typed flag)."""
        replies = tuple(self.handle(tenant, number_id, customer, message))
        return Answer(replies, handoff=message.kind == "text" and message.text == "persona")

    def status_notification(self, tenant: TenantContext, order_number: int, new_status: str) -> Reply:
        return text_reply(f"Tu pedido {order_number} está {new_status}")


@dataclass
class Messaging:
    runtime: Runtime
    services: Services
    directory: NumberDirectory
    numbers: NumberService
    ingest: IngestService
    contexts: TenantContexts
    conversations: EchoConversations
    client: falcon.testing.TestClient
    tenant: TenantInfo
    meta_1: NumberInfo
    meta_2: NumberInfo
    dialog: NumberInfo
    twilio: NumberInfo
    stand_in: StandIn
    endpoints: Endpoints

    def post_fixture(self, provider: str, name: str) -> falcon.testing.Result:
        body, headers = load_fixture(provider, name)
        return self.post(provider, body, headers)

    def post(self, provider: str, body: bytes, headers: dict[str, str]) -> falcon.testing.Result:
        path = {
            "meta": "/webhooks/meta",
            "twilio": "/webhooks/twilio",
            "360dialog": f"/webhooks/360dialog/{self.dialog.id}",
        }[provider]
        result = self.client.simulate_post(path, body=body, headers=headers)
        self.deliver_journal()
        return result

    def deliver_journal(self) -> None:
        """What the drain thread does within a second: the journaled webhooks into their tenants' inboxes."""
        if self.services.journal is not None:
            while self.services.journal.drain():
                pass

    def processor(self, conversations: Conversations | None = None) -> InboxProcessor:
        """An inbox whose bot is `conversations` (default: the echo); the real one is `services.inbox`."""
        return InboxProcessor(
            self.runtime.databases, self.directory, conversations or self.conversations, self.contexts
        )

    def sender(self, **options: Any) -> OutboxSender:
        options.setdefault("backoff_base", 0.01)
        options.setdefault("jitter", lambda: 0.0)
        return OutboxSender(self.runtime.databases, self.directory, **options)

    def say(self, wamid: str, text: str, sender: str) -> None:
        """`sender` writes `text` to the first fixture number (the webhook is accepted, not yet processed)."""
        body, headers = meta_message(wamid, sender, {"type": "text", "text": {"body": text}})
        assert self.post("meta", body, headers).status_code == 200

    def rows(self, tenant_id: str, sql: str, **params: Any) -> list[Any]:
        self.deliver_journal()
        with self.runtime.databases.tenant_session(tenant_id) as session:
            return list(session.execute(sa.text(sql), params).all())


def meta_message(wamid: str, sender: str, message: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    """A signed Cloud API webhook: `sender` wrote `message` to the first fixture number."""
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
                                "metadata": {"phone_number_id": PNID_1},
                                "contacts": [{"profile": {"name": "Ana"}, "wa_id": sender}],
                                "messages": [{"from": sender, "id": wamid, "timestamp": "1750096325", **message}],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    return body, {"X-Hub-Signature-256": meta_signature(body, META_APP_SECRET)}


def build_webhook_app(runtime: Runtime, ingest: IngestService, max_bytes: int | None = None) -> falcon.App:
    """The webhook routes behind the same middleware `create_app` installs."""
    limit = max_bytes or runtime.config.max_body_bytes
    app = falcon.App(
        middleware=[AccessLog(), BodyLimit(limit), Authenticate(runtime.services.auth), StrictQuery(query_parameters())]
    )
    app.req_options.strip_url_path_trailing_slash = True
    problems.install(app)
    add_webhook_routes(app, ingest, limit, PUBLIC_URL)
    return app


def claim_fixture_numbers(runtime: Runtime, numbers: NumberService, tenant_id: str) -> list[NumberInfo]:
    """Give `tenant_id` the numbers the fixtures are addressed to (taken from any earlier owner)."""
    with runtime.databases.control_session() as session:
        session.execute(
            sa.delete(WhatsAppNumber).where(
                sa.or_(
                    WhatsAppNumber.phone_number_id.in_((PNID_1, PNID_2, PNID_360)),
                    WhatsAppNumber.e164.in_(("+15550001111", "+15550002222", TWILIO_TO, "+15550004444")),
                )
            )
        )
        session.commit()
    meta = {
        "provider": "meta",
        "waba_id": "102290129340398",
        "access_token": "EAAG-test",
        "app_secret": META_APP_SECRET,
    }
    return [
        numbers.add(tenant_id, NewNumber(e164="+15550001111", phone_number_id=PNID_1, **meta), actor="tests"),
        numbers.add(tenant_id, NewNumber(e164="+15550002222", phone_number_id=PNID_2, **meta), actor="tests"),
        numbers.add(
            tenant_id,
            NewNumber(
                provider="360dialog",
                e164="+15550004444",
                phone_number_id=PNID_360,
                api_key="d360-test-key",
                webhook_secret=DIALOG_SECRET,
            ),
            actor="tests",
        ),
        numbers.add(
            tenant_id,
            NewNumber(provider="twilio", e164=TWILIO_TO, account_sid=TWILIO_ACCOUNT, auth_token=TWILIO_TOKEN),
            actor="tests",
        ),
    ]


@pytest.fixture(scope="session")
def messaging_tenant(runtime: Runtime) -> TenantInfo:
    """One tenant for the transport tests; `messaging` empties its messaging tables (and the
    appliance's unroutable summaries) before each test."""
    return runtime.tenants.create(NewTenant(name=f"Mensajes {secrets.token_hex(3)}"), actor="tests")


@pytest.fixture
def messaging(runtime: Runtime, stand_in: StandIn, messaging_tenant: TenantInfo) -> Iterator[Messaging]:
    config = dataclasses.replace(
        runtime.config,
        whatsapp_meta_base=stand_in.url,
        whatsapp_360dialog_base=stand_in.url,
        whatsapp_twilio_base=stand_in.url,
        whatsapp_timeout_seconds=1.0,
    )
    services = build_services(config, runtime.databases)
    directory, numbers, ingest = services.number_directory, services.numbers, services.ingest
    tenant = messaging_tenant
    with runtime.databases.tenant_session(tenant.id) as session:
        session.execute(
            sa.text("TRUNCATE media, inbox, outbox, message_statuses, conversations, changes RESTART IDENTITY")
        )
        session.commit()
    with runtime.databases.control_session() as session:
        # The unroutable caps count the whole appliance's rows of the last minute: start each test at none.
        session.execute(sa.delete(UnroutableEvent))
        session.commit()
    meta_1, meta_2, dialog, twilio = claim_fixture_numbers(runtime, numbers, tenant.id)
    client = falcon.testing.TestClient(build_webhook_app(runtime, ingest))
    yield Messaging(
        runtime,
        services,
        directory,
        numbers,
        ingest,
        services.contexts,
        EchoConversations(),
        client,
        tenant,
        meta_1,
        meta_2,
        dialog,
        twilio,
        stand_in,
        directory.endpoints,
    )
    runtime.databases.tenant_engines.close_all()


@pytest.fixture
def rules_restored(messaging: Messaging) -> Iterator[None]:
    """The transport tests share one tenant: its hours and templates go back to the defaults."""
    yield
    messaging.services.tenant_settings.update(
        messaging.tenant.id,
        "tests",
        TenantSettingsChange(opening_hours=None, handoff_template="", handoff_template_language=""),
    )
