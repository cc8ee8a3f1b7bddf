"""A webhook's events for one tenant, as the rows its database stores, and how they are stored.

The webhook builds a `TenantEvents` per tenant; it goes into the tenant's database at once
(`deliver`) or through the ingest journal (journal.py), which keeps it sealed until the drain
delivers it. Every statement is idempotent (unique provider message id, unique (wamid, status),
statuses only move up), so delivering the same events twice stores nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import msgspec
import psycopg

from comandia.server.db.tenant_models import InboxEvent, MessageStatus, OutboxMessage
from comandia.server.providers.base import STATUS_RANK, InboundMessage, RejectedEvent, StatusUpdate
from comandia.server.services.messaging.outbox import WINDOW_CLOSED_CODES
from comandia.server.services.messaging.payloads import InboxPayload

QUARANTINED = "quarantined"
"""The inbox `kind` of an event kept but never processed (see `TenantEvents.add_rejected`)."""

# The statements, on the tables of server/db/tenant_models.py. Plain SQL on the driver: the ORM's
# per-statement work cost as much as the round trip, and psycopg prepares a statement it has run
# five times.
_INSERT_INBOX = (
    f"INSERT INTO {InboxEvent.__tablename__} (provider, number_id, provider_message_id, customer_key, kind, "
    "processed_at, error, payload, received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s) "
    "ON CONFLICT (provider_message_id) DO NOTHING"
)
_INSERT_STATUS = (
    f"INSERT INTO {MessageStatus.__tablename__} (wamid, status, at, error_code) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (wamid, status) DO NOTHING"
)
_RANK = "CASE status " + " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in STATUS_RANK.items()) + " ELSE -1 END"
_RAISE_OUTBOX_STATUS = (
    f"UPDATE {OutboxMessage.__tablename__} SET status = %s, "  # noqa: S608 - names and ranks are ours
    f"error_code = coalesce(%s, error_code) WHERE provider_message_id = %s AND {_RANK} < %s"
)
_ENCODER = msgspec.json.Encoder()

InboxRow = tuple[str, int, str, str, str, dt.datetime | None, str | None, str, dt.datetime]
"""provider, number, message id, customer, kind, processed at, error, payload, received at: the
webhook's time, not the delivery's (a journaled row may reach a database that was down hours later,
and the 24-hour window and the transcript count from when the customer wrote)."""
StatusRow = tuple[str, str, dt.datetime, int | None]
RaiseRow = tuple[str, int | None, str, int]  # status, error code, wamid, rank


class TenantEvents(msgspec.Struct, array_like=True):
    """One tenant's rows of one webhook (msgspec: the journal stores it as MessagePack)."""

    inbox: list[InboxRow] = []
    statuses: list[StatusRow] = []
    raises: list[RaiseRow] = []
    numbers: list[int] = []
    """The numbers that received them (their `last_inbound_at` is recorded)."""

    @property
    def has_messages(self) -> bool:
        """Whether the inbox workers have something to do (a quarantined event is never processed)."""
        return any(row[4] != QUARANTINED for row in self.inbox)

    @property
    def delivery_failed(self) -> bool:
        """Whether WhatsApp reported a message we sent as not delivered (a failed send in the summary)."""
        return any(row[1] == "failed" for row in self.statuses)

    @property
    def window_closed(self) -> bool:
        """Whether a message we sent was refused for the closed 24-hour window (it is resent as its template)."""
        return any(row[1] == "failed" and row[3] in WINDOW_CLOSED_CODES for row in self.statuses)

    def add_messages(self, provider: str, number_id: int, messages: list[InboundMessage], now: dt.datetime) -> None:
        """`messages` received at `now` (the ingest's clock: a demo's chats keep their own moments)."""
        self.inbox.extend(
            (
                provider,
                number_id,
                m.provider_message_id,
                m.customer_key[:64],
                m.content.kind,
                None,
                None,
                _json(InboxPayload.of(m)),
                now,
            )
            for m in messages
        )

    def add_rejected(self, provider: str, number_id: int, events: list[RejectedEvent], now: dt.datetime) -> None:
        """Events that cannot be stored as they came, kept in the inbox set aside (never processed),
        with their reason in `error` and an escaped excerpt: an operator sees them, the provider's
        retries add nothing (an unusable id is replaced by a digest of the excerpt), and they block
        nobody's queue."""
        self.inbox.extend(
            (
                provider,
                number_id,
                event.provider_message_id or "quarantine:" + hashlib.sha256(event.excerpt.encode()).hexdigest()[:40],
                event.customer_key or "",
                QUARANTINED,
                now,
                event.reason,
                _json({"reason": event.reason, "excerpt": event.excerpt}),
                now,
            )
            for event in events
        )

    def add_statuses(self, statuses: list[StatusUpdate]) -> None:
        """Statuses (deduplicated on (wamid, status)); each outbox row's status only moves up."""
        self.statuses.extend((s.wamid, s.status, s.at, s.error_code) for s in statuses)
        best: dict[str, StatusUpdate] = {}
        for s in statuses:
            if s.status in STATUS_RANK and STATUS_RANK[s.status] > STATUS_RANK.get(
                best[s.wamid].status if s.wamid in best else "", -1
            ):
                best[s.wamid] = s
        self.raises.extend((u.status, u.error_code, u.wamid, STATUS_RANK[u.status]) for u in best.values())


def deliver(connection: psycopg.Connection[Any], events: TenantEvents) -> None:
    """Store `events` on a connection of their tenant's database (idempotent)."""
    _write(connection, _INSERT_INBOX, events.inbox)
    _write(connection, _INSERT_STATUS, events.statuses)
    _write(connection, _RAISE_OUTBOX_STATUS, events.raises)


def _write(connection: psycopg.Connection[Any], statement: str, rows: list[Any]) -> None:
    if len(rows) == 1:
        connection.execute(statement, rows[0])
    elif rows:
        connection.cursor().executemany(statement, rows)  # pipelined: one round trip


def _json(value: Any) -> str:
    return _ENCODER.encode(value).decode()  # text, cast to jsonb by the statement (bytes would be bytea)
