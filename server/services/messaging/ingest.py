"""Webhook ingestion: authenticate, route each event to its tenant, store it durably, say who has work.

The contract with the providers (WHATSAPP.md): answer 200 only once every event of the POST is
committed, so a failure makes the provider retry; a retry inserts nothing new (unique provider
message id, unique (wamid, status)). Each POST's database work is bounded by
`database_deadline_seconds` (503 past it, see `engines.database_deadline`), so a slow or silent
database never holds the provider's request, nor a server thread, for long. Events for numbers
nobody owns are kept in `unroutable_events` and acknowledged. Nothing here interprets a message:
the inbox worker does, later.

The path is as short as the contract allows, since it runs hundreds of times a second: verify
the signature, parse, route from the cached number map, then one autocommit statement on the
request's own thread, with no ORM session. With the ingest journal (`ingest = "journal"`, the
default) that statement writes each tenant's part, sealed, to one table of the control database
(journal.py), and the drain delivers it to the tenant's database within a second; without it
(`"direct"`) the events go to each tenant's database on a pooled connection of its own
(`Databases.tenant_autocommit`), one database connection per tenant of the post.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

import sqlalchemy as sa

from comandia.server.db.engines import DeadlineExceeded, database_deadline, time_left
from comandia.server.db.sessions import Databases
from comandia.server.providers import signatures
from comandia.server.providers.base import STATUS_RANK, ParsedEvents
from comandia.server.providers.parsing import parse_cloud_api, parse_twilio_form
from comandia.server.services.messaging.directory import NumberDirectory, RoutedNumber
from comandia.server.services.messaging.events import TenantEvents, deliver
from comandia.server.services.messaging.journal import IngestJournal
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.services.messaging.silent_servers import SilentServers, cap_for
from comandia.server.services.messaging.unroutable import UnroutableLimits, UnroutableLog
from comandia.shared.domain.errors import Unauthorized, Unavailable
from comandia.shared.domain.times import utcnow
from comandia.shared.domain.whatsapp import ProviderName

log = logging.getLogger(__name__)

_Router = Callable[[str], RoutedNumber | None]
_JOURNAL = ""
"""The `StalledTenants` key of the ingest journal (tenant ids are never empty)."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


class BadSignature(Unauthorized):
    """The webhook's signature or secret is missing or wrong: nothing was stored."""


def _answers_in_time(
    method: Callable[Concatenate[IngestService, _P], _R],
) -> Callable[Concatenate[IngestService, _P], _R]:
    """Run an ingest entry point under the database deadline, on the caller's thread.

    The whole entry point, not only the insert: the number map it routes with is reloaded from
    the control database, and that can stall as well.
    """

    @functools.wraps(method)
    def bounded(self: IngestService, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            self._in_flight += 1
        try:
            with database_deadline(self._db.config.database_deadline_seconds):
                return method(self, *args, **kwargs)
        finally:
            with self._lock:
                self._in_flight -= 1

    # functools.wraps types its result as _Wrapped, whose __call__ names `self`; it is the same callable.
    return cast("Callable[Concatenate[IngestService, _P], _R]", bounded)


class IngestService:
    """Stores webhook events in the right tenant's database."""

    def __init__(
        self,
        databases: Databases,
        directory: NumberDirectory,
        dirty: DirtyTenants,
        unroutable: UnroutableLimits | None = None,
        on_window_closed: Callable[[set[str]], None] = lambda tenant_ids: None,
        journal: IngestJournal | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        on_delivery_failed: Callable[[set[str]], None] = lambda tenant_ids: None,
    ) -> None:
        """`clock` stamps what arrives (`received_at`): the composition root's, a test's or a demo's;
        `on_delivery_failed` is told the tenants whose statuses say a message was not delivered."""
        self._db = databases
        self._clock = clock
        self._journal = journal
        self._on_window_closed = on_window_closed
        self._on_delivery_failed = on_delivery_failed
        self._directory = directory
        self.dirty = dirty
        # Posts for unknown numbers cannot be authenticated: a bounded summary at a bounded rate.
        self.unroutable = UnroutableLog(databases, unroutable)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._stalled = StalledTenants()
        self._silent = SilentServers(cap_for(databases.config.threads))

    def busy(self) -> bool:
        """Whether webhooks are arriving faster than one at a time (more than one being stored now).

        The inbox workers beyond the first step aside meanwhile: on a small machine, answering
        the providers comes first, and the backlog is drained at full width once the burst passes.
        """
        with self._lock:
            return self._in_flight > 1

    def verify_subscription(self, mode: str | None, token: str | None) -> bool:
        """Meta's GET handshake: mode `subscribe` and the token of one of our numbers."""
        if mode != "subscribe" or not token:
            return False
        matched = False
        for candidate in self._directory.verify_tokens():
            matched |= hmac.compare_digest(candidate.encode(), token.encode())
        return matched

    @_answers_in_time
    def ingest_meta(self, body: bytes, signature: str | None, source: str | None = None) -> int:
        """A Meta POST: check the app signature on the raw bytes, then store every event.

        Returns:
            How many messages and statuses were routed to a tenant (duplicates included).

        Raises:
            BadSignature: no known app secret signed `body` (nothing stored).
            PayloadError: the body is not a Cloud API payload.
            Unavailable: a database could not store the events, or not within the deadline (the
                provider should retry).
        """
        secret = signatures.matching_meta_secret(body, signature, self._directory.meta_app_secrets())
        if secret is None and self._directory.reload_if_stale():  # a number of a new app, just added?
            secret = signatures.matching_meta_secret(body, signature, self._directory.meta_app_secrets())
        if secret is None:
            raise BadSignature("missing or invalid X-Hub-Signature-256")
        events = parse_cloud_api(body)

        def route(key: str) -> RoutedNumber | None:
            number = self._directory.by_phone_number_id(key)
            # Only numbers of the app that signed: one app cannot post for another's numbers.
            signed = (
                number is not None
                and number.info.provider == ProviderName.META
                and number.credentials.app_secret == secret
            )
            return number if signed else None

        return self._store(ProviderName.META, body, events, route, source)

    @_answers_in_time
    def ingest_cloud_with_secret(
        self, provider: str, number_id: int, body: bytes, secret: str | None, source: str | None = None
    ) -> int:
        """A 360dialog (or sandbox) POST to the number's own URL, authenticated by its secret header."""
        number = self._directory.by_id(number_id)
        if number is None or number.info.provider != provider:
            self.unroutable.keep(provider, "no such number", str(number_id), body, source)
            return 0
        if not signatures.shared_secret_valid(secret, number.credentials.webhook_secret):
            raise BadSignature("missing or invalid webhook secret header")
        events = parse_cloud_api(body)

        def route(key: str) -> RoutedNumber | None:
            # The payload must be for the number of the URL when that number knows its id.
            return number if number.info.phone_number_id in (None, key) else None

        return self._store(provider, body, events, route, source)

    @_answers_in_time
    def ingest_twilio(
        self,
        public_url: str,
        form: Sequence[tuple[str, str]],
        signature: str | None,
        raw: bytes,
        source: str | None = None,
    ) -> int:
        """A Twilio POST: route on `To`, check the signature with that account's auth token."""
        fields: Mapping[str, str] = dict(form)
        to = fields.get("To", "").removeprefix("whatsapp:")
        number = self._directory.by_e164(to) if to else None
        if number is None or number.info.provider != ProviderName.TWILIO:
            if not fields.get("MessageSid") or not to:
                raise BadSignature("not a Twilio webhook")
            self.unroutable.keep(ProviderName.TWILIO, "no such number", to, raw, source)
            return 0
        if not signatures.twilio_signature_valid(public_url, form, signature, number.credentials.auth_token or ""):
            raise BadSignature("missing or invalid X-Twilio-Signature")
        events = parse_twilio_form(fields)
        return self._store(ProviderName.TWILIO, raw, events, lambda key: number if key == to else None, source)

    def _store(self, provider: str, body: bytes, events: ParsedEvents, route: _Router, source: str | None) -> int:
        unknown: set[str] = set()
        messages = _by_number(events.messages, route, unknown)
        statuses = _by_number(events.statuses, route, unknown)
        rejected = _by_number(events.rejected, route, unknown)
        for key in sorted(unknown):
            self.unroutable.keep(provider, "no number with this id", key, body, source)
        by_tenant: dict[str, TenantEvents] = defaultdict(TenantEvents)
        now = self._clock()
        for number_id, number in (messages.numbers | statuses.numbers | rejected.numbers).items():
            tenant = by_tenant[number.info.tenant_id]
            tenant.numbers.append(number_id)
            tenant.add_messages(provider, number_id, messages.get(number_id, []), now)
            tenant.add_statuses(statuses.get(number_id, []))
            for event in rejected.get(number_id, []):
                log.warning("quarantined %s event for number %s: %s", provider, number_id, event.reason)
            tenant.add_rejected(provider, number_id, rejected.get(number_id, []), now)
        if self._journal is not None:
            # One row per tenant in one database: committed when the statement returns. The
            # drain delivers it to the tenant's database within a second and marks the tenant.
            with self._stalled.attempt(_JOURNAL), self._silent.waiting(self._db.journal_pool.server):
                self._journal.append(by_tenant)
        else:
            for tenant_id, tenant_events in by_tenant.items():
                # Autocommit: each statement is committed when it returns, so the usual one-message
                # webhook costs one round trip instead of BEGIN, INSERT, COMMIT. No transaction is
                # needed: every statement is idempotent, so after a failure (503) the provider's
                # retry stores whatever is missing and nothing twice.
                with (
                    self._stalled.attempt(tenant_id),
                    self._silent.waiting(self._db.tenant_engines.server_of(tenant_id)),
                    self._db.tenant_autocommit(tenant_id) as connection,
                ):
                    deliver(connection, tenant_events)
            self.dirty.mark({t for t, e in by_tenant.items() if e.has_messages})
            closed = {t for t, e in by_tenant.items() if e.window_closed}
            if closed:
                self._on_window_closed(closed)  # a sent message the window refused: resent as its template
            failed = {t for t, e in by_tenant.items() if e.delivery_failed}
            if failed:
                self._on_delivery_failed(failed)  # the summary's failed sends
            self._directory.touch({n for e in by_tenant.values() for n in e.numbers})
        return sum(len(v) for v in messages.values()) + sum(len(v) for v in statuses.values())


class StalledTenants:
    """Tenants whose database let a webhook's deadline run out: one post at a time tries it again.

    The others are answered 503 at once (the provider retries) instead of each holding a request
    thread for the whole deadline: with every thread held, posts would queue for a thread and
    answer only after two deadlines. The first post that stores clears the tenant.
    """

    def __init__(self) -> None:
        self._stalled: set[str] = set()
        self._trying: set[str] = set()
        self._lock = threading.Lock()

    @contextmanager
    def attempt(self, tenant_id: str) -> Iterator[None]:
        with self._lock:
            trial = tenant_id in self._stalled
            if trial:
                if tenant_id in self._trying:
                    raise DeadlineExceeded(
                        "tenant {tenant_id}'s database is not answering; try again shortly", tenant_id=tenant_id
                    )
                self._trying.add(tenant_id)
        try:
            yield
        except Unavailable:
            left = time_left()
            if left is not None and left <= 0:
                with self._lock:
                    self._stalled.add(tenant_id)
            raise
        else:
            if trial:
                with self._lock:
                    self._stalled.discard(tenant_id)
        finally:
            if trial:
                with self._lock:
                    self._trying.discard(tenant_id)


class _Routed(Protocol):
    @property
    def routing_key(self) -> str: ...


_E = TypeVar("_E", bound=_Routed)


class _ByNumber(dict[int, list[_E]]):
    """Events by the id of the number each routes to, and those numbers (`numbers`).

    Keyed by id, not by `RoutedNumber`: hashing the number's fields, credentials and all, on
    every event cost more than grouping them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.numbers: dict[int, RoutedNumber] = {}


def _by_number(events: Sequence[_E], route: _Router, unknown: set[str]) -> _ByNumber[_E]:
    """`events` grouped by the number each routes to; the keys that route nowhere go to `unknown`."""
    grouped: _ByNumber[_E] = _ByNumber()
    for event in events:
        number = route(event.routing_key)
        if number is None:
            unknown.add(event.routing_key)
        elif number.info.id in grouped:
            grouped[number.info.id].append(event)
        else:
            grouped[number.info.id] = [event]
            grouped.numbers[number.info.id] = number
    return grouped


def status_rank_sql(column: Any) -> sa.ColumnElement[int]:
    """SQL for the rank of a status column in STATUS_RANK (-1 for none or unknown)."""
    return sa.case(*((column == name, rank) for name, rank in STATUS_RANK.items()), else_=-1)
