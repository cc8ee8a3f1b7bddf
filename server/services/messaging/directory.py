"""Which number (and so which tenant) a webhook is for, from an in-memory map of the control DB.

Webhooks arrive hundreds of times a second; the map of numbers (with their secrets opened) is
reloaded at most every `ttl` seconds, at once after any change made through `NumberService`
(`invalidate`, which also announces it to the other processes: they `forget` theirs), and when a
webhook names a number the map does not hold (at most every `MISS_RELOAD_SECONDS`), so a number
added a moment ago is never filed as unknown. One thread loads at a time: when the map is only
old (`ttl`, nothing announced) the others go on with it meanwhile, instead of every request thread
loading it at once (a p99 spike every minute); after `forget` they wait for the one load.
`last_inbound_at` is written at most once a minute per number, so it costs nothing per message.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
import sqlalchemy as sa

from comandia.server.config import ServerConfig
from comandia.server.db.control_models import Tenant, WhatsAppNumber
from comandia.server.db.sessions import Databases
from comandia.server.providers.base import Endpoints, Provider
from comandia.server.providers.dialog360 import Dialog360Provider
from comandia.server.providers.meta import MetaProvider
from comandia.server.providers.sandbox import SandboxProvider
from comandia.server.providers.twilio import TwilioProvider
from comandia.server.services.messaging.pauses import pause_code
from comandia.shared.domain.errors import NotFound
from comandia.shared.domain.tenants import TenantState
from comandia.shared.domain.whatsapp import NumberState, ProviderName
from comandia.shared.schemas.numbers import NumberInfo

TOUCH_EVERY_SECONDS = 60.0
# A miss reloads the map, but posts naming unknown numbers must not turn into a reload each.
MISS_RELOAD_SECONDS = 0.5


WEBHOOK_PATHS: dict[str, str] = {
    ProviderName.META: "/webhooks/meta",
    ProviderName.TWILIO: "/webhooks/twilio",
    ProviderName.DIALOG360: "/webhooks/360dialog/{id}",
    ProviderName.SANDBOX: "/webhooks/sandbox/{id}",
}
"""Where each provider posts a number's webhooks (the console shows it; the operator configures it)."""


def number_info(number: WhatsAppNumber, webhook_secret: str | None = None) -> NumberInfo:
    """What the API shows of a number; its webhook secret only when given (once, when it is made).
    Its pause reason is as stored: `pauses.readable` says it in the reader's language."""
    code, provider_code = pause_code(number.pause_reason)
    return NumberInfo(
        id=number.id,
        tenant_id=number.tenant_id,
        provider=number.provider,
        e164=number.e164,
        phone_number_id=number.phone_number_id,
        waba_id=number.waba_id,
        account_sid=number.account_sid,
        state=number.state,
        pause_reason=number.pause_reason,
        last_inbound_at=number.last_inbound_at,
        created_at=number.created_at,
        webhook_path=WEBHOOK_PATHS[number.provider].format(id=number.id),
        verify_token=number.verify_token,
        webhook_secret=webhook_secret,
        status_template=number.status_template,
        template_language=number.template_language,
        pause_code=code,
        provider_code=provider_code,
    )


@dataclass(frozen=True)
class Credentials:
    """A number's provider secrets, opened; none of them ever shows in a repr (or a log line)."""

    access_token: str | None = field(default=None, repr=False)
    app_secret: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    auth_token: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RoutedNumber:
    """A number as the webhook and the sender need it: what the API shows of it (`info`, a wire
    type, so never with credentials in it), whether its tenant is active, and its credentials."""

    info: NumberInfo
    tenant_active: bool
    credentials: Credentials = field(default_factory=Credentials, repr=False)

    @property
    def accepting(self) -> bool:
        """False when the number is paused or its tenant inactive: messages get a polite notice."""
        return self.info.state == NumberState.ACTIVE and self.tenant_active


@dataclass
class _Snapshot:
    by_id: dict[int, RoutedNumber]
    by_phone_number_id: dict[str, RoutedNumber]
    by_e164: dict[str, RoutedNumber]
    loaded_at: float
    meta_app_secrets: frozenset[str] = frozenset()
    """Every Meta number's app secret: each Meta webhook checks its signature against them."""


class NumberDirectory:
    """The cached number map, and one provider client per number built from it.

    Args:
        databases: the appliance's databases.
        endpoints: the providers' base URLs and timeout.
        ttl: seconds a loaded map is trusted: a backstop only, since changes are announced to
            every process and a miss reloads at once.
        http: the requests.Session every provider client shares.
        clock: monotonic seconds (tests inject their own).
        public_url: the appliance's public base URL, for Twilio's status callbacks.
        announce: tells the other processes that the numbers changed (`invalidate`).
    """

    def __init__(
        self,
        databases: Databases,
        endpoints: Endpoints,
        ttl: float = 60.0,
        http: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        public_url: str | None = None,
        announce: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = databases
        self.endpoints = endpoints
        # Twilio posts delivery statuses to this URL (the appliance's public address).
        self._status_callback = f"{public_url.rstrip('/')}/webhooks/twilio" if public_url else None
        self._ttl = ttl
        self._http = http
        self._clock = clock
        self._lock = threading.Lock()
        # Reentrant: a miss's reload (`reload_if_stale`) holds it and reads the map.
        self._reload_lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._forgets = 0  # counts `forget` calls: a load that began before one is not kept
        self._providers: dict[int, Provider] = {}
        self._touched: dict[int, float] = {}
        self._announce = announce
        self.sandbox = SandboxProvider()

    def invalidate(self) -> None:
        """The numbers changed here: drop the map and tell the other processes."""
        self.forget()
        self._announce()

    def forget(self) -> None:
        """Drop the map and the provider clients: they are built again on the next use."""
        with self._lock:
            self._snapshot = None
            self._forgets += 1
            self._providers.clear()

    def by_id(self, number_id: int) -> RoutedNumber | None:
        return self._find(lambda snapshot: snapshot.by_id.get(number_id))

    def by_phone_number_id(self, phone_number_id: str) -> RoutedNumber | None:
        return self._find(lambda snapshot: snapshot.by_phone_number_id.get(phone_number_id))

    def by_e164(self, e164: str) -> RoutedNumber | None:
        return self._find(lambda snapshot: snapshot.by_e164.get(e164))

    def reload_if_stale(self) -> bool:
        """Reload the map unless it is younger than `MISS_RELOAD_SECONDS`; True when it was reloaded.

        For a webhook that names a number (or is signed by an app secret) the map does not know:
        it may have been added a moment ago, by another process or before its announcement came.
        """
        with self._reload_lock:  # one reload for a burst of misses, not one each
            if self._clock() - self._current().loaded_at < MISS_RELOAD_SECONDS:
                return False
            self._reload()
            return True

    def _find(self, lookup: Callable[[_Snapshot], RoutedNumber | None]) -> RoutedNumber | None:
        found = lookup(self._current())
        if found is None and self.reload_if_stale():
            found = lookup(self._current())
        return found

    def tenant_ids(self) -> set[str]:
        """Tenants that own at least one number: the ones the workers sweep."""
        return {n.info.tenant_id for n in self._current().by_id.values()}

    def numbers_of(self, tenant_id: str) -> list[RoutedNumber]:
        """The tenant's numbers that can send now (active, tenant active), oldest first."""
        numbers = self._current().by_id.values()
        return sorted((n for n in numbers if n.info.tenant_id == tenant_id and n.accepting), key=lambda n: n.info.id)

    def meta_app_secrets(self) -> frozenset[str]:
        return self._current().meta_app_secrets

    def verify_tokens(self) -> list[str]:
        return [n.info.verify_token for n in self._current().by_id.values() if n.info.verify_token]

    def provider(self, number_id: int) -> Provider:
        """The provider client of a number. Raises: NotFound (the number was removed)."""
        with self._lock:
            cached = self._providers.get(number_id)
        if cached is not None:
            return cached
        number = self.by_id(number_id)
        if number is None:
            raise NotFound("WhatsApp number {number_id} does not exist", number_id=number_id)
        built = build_provider(number, self._session(), self.endpoints, self.sandbox, self._status_callback)
        with self._lock:
            self._providers[number_id] = built
        return built

    def touch(self, number_ids: set[int]) -> None:
        """Record that the numbers received a webhook (at most once a minute per number)."""
        now = self._clock()
        with self._lock:
            due = {n for n in number_ids if now - self._touched.get(n, -TOUCH_EVERY_SECONDS) >= TOUCH_EVERY_SECONDS}
            self._touched.update({n: now for n in due})
        if not due:
            return
        with self._db.control_session() as session:
            # No session synchronisation: nothing of these rows is loaded here, and evaluating the
            # IN clause against the session cost more than the update itself.
            session.execute(
                sa.update(WhatsAppNumber)
                .where(WhatsAppNumber.id.in_(due))
                .values(last_inbound_at=dt.datetime.now(dt.UTC))
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _session(self) -> requests.Session:
        with self._lock:
            if self._http is None:
                self._http = requests.Session()
            return self._http

    def _current(self) -> _Snapshot:
        with self._lock:
            snapshot = self._snapshot
        if snapshot is not None:
            if self._clock() - snapshot.loaded_at < self._ttl:
                return snapshot
            # Only old (nothing was announced): one thread loads it, the others go on with it meanwhile.
            if not self._reload_lock.acquire(blocking=False):
                return snapshot
            try:
                with self._lock:
                    current = self._snapshot
                if current is not None and current is not snapshot:
                    return current  # loaded by another thread since
                return self._reload()
            finally:
                self._reload_lock.release()
        with self._reload_lock:  # forgotten (a change): every thread waits for one load
            with self._lock:
                current = self._snapshot
            return current if current is not None else self._reload()

    def _reload(self) -> _Snapshot:
        while True:
            with self._lock:
                epoch = self._forgets
            snapshot = self._load()
            with self._lock:
                if self._forgets == epoch:
                    self._snapshot = snapshot
                    return snapshot
            # A change was announced while it loaded: what it read may be from before the change.

    def _load(self) -> _Snapshot:
        box = self._db.box

        def opened(sealed: str | None) -> str | None:
            return box.open(sealed) if sealed else None

        with self._db.control_session() as session:
            rows = session.execute(sa.select(WhatsAppNumber, Tenant.state).join(Tenant)).all()
            numbers = [
                RoutedNumber(
                    number_info(n),
                    tenant_active=state == TenantState.ACTIVE,
                    credentials=Credentials(
                        access_token=opened(n.access_token_sealed),
                        app_secret=opened(n.app_secret_sealed),
                        api_key=opened(n.api_key_sealed),
                        auth_token=opened(n.auth_token_sealed),
                        webhook_secret=opened(n.webhook_secret_sealed),
                    ),
                )
                for n, state in rows
                if state != TenantState.DELETED
            ]
        return _Snapshot(
            by_id={n.info.id: n for n in numbers},
            by_phone_number_id={n.info.phone_number_id: n for n in numbers if n.info.phone_number_id},
            by_e164={n.info.e164: n for n in numbers},
            loaded_at=self._clock(),
            meta_app_secrets=frozenset(
                n.credentials.app_secret
                for n in numbers
                if n.info.provider == ProviderName.META and n.credentials.app_secret
            ),
        )


def endpoints_for(config: ServerConfig) -> Endpoints:
    """The provider endpoints from the config (`whatsapp_*` keys; the defaults are production)."""
    default = Endpoints()
    return Endpoints(
        meta_base=config.whatsapp_meta_base or default.meta_base,
        meta_version=config.whatsapp_meta_version or default.meta_version,
        dialog360_base=config.whatsapp_360dialog_base or default.dialog360_base,
        twilio_base=config.whatsapp_twilio_base or default.twilio_base,
        timeout_seconds=config.whatsapp_timeout_seconds or default.timeout_seconds,
    )


def build_provider(
    number: RoutedNumber,
    http: requests.Session,
    endpoints: Endpoints,
    sandbox: SandboxProvider,
    status_callback: str | None = None,
) -> Provider:
    """The provider client for `number` with its credentials."""
    info, secret = number.info, number.credentials
    if info.provider == ProviderName.META:
        return MetaProvider(info.phone_number_id or "", info.waba_id, secret.access_token or "", http, endpoints)
    if info.provider == ProviderName.DIALOG360:
        return Dialog360Provider(secret.api_key or "", http, endpoints)
    if info.provider == ProviderName.TWILIO:
        return TwilioProvider(
            info.account_sid or "", secret.auth_token or "", info.e164, http, endpoints, status_callback
        )
    return sandbox
