"""Every fact of a tenant the other services read per request, in one place behind one cache.

A `TenantContext` (the chat brain's type: name, time zone, currency, language, bot settings) is
read from the registry once and kept for `ttl` seconds; this process drops it at once when the
tenant's settings change or it is moved, deactivated, reactivated or deleted (`forget`), and
another process's change is seen within `ttl`. KPIs read the time zone from here, the catalog
the currency, the inbox and the status notices the bot's wording.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from comandia.server.chat.model import TenantContext
from comandia.server.db.sessions import Databases
from comandia.server.services.tenancy.settings import context_of
from comandia.server.services.tenancy.tenants import live_tenant
from comandia.shared.domain.tenants import TenantState


@dataclass(frozen=True)
class _Entry:
    loaded: float
    state: TenantState
    context: TenantContext


class TenantContexts:
    """The live tenants' contexts, cached.

    Args:
        databases: the appliance's databases (the registry is read from the control database).
        ttl: seconds a context is trusted before it is read again.
    """

    def __init__(self, databases: Databases, ttl: float = 30.0) -> None:
        self._db = databases
        self._ttl = ttl
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: str) -> TenantContext:
        """The tenant's context (active or deactivated). Raises: NotFound (no such tenant, or deleted)."""
        return self._entry(tenant_id).context

    def state(self, tenant_id: str) -> TenantState:
        """Whether the tenant is active or deactivated. Raises: NotFound (no such tenant, or deleted)."""
        return self._entry(tenant_id).state

    def forget(self, tenant_id: str) -> None:
        """Drop a tenant's cached context: its registry row changed in this process."""
        with self._lock:
            self._cache.pop(tenant_id, None)

    def forget_all(self) -> None:
        """Drop every cached context (changes announced while this process was not listening)."""
        with self._lock:
            self._cache.clear()

    def _entry(self, tenant_id: str) -> _Entry:
        with self._lock:
            hit = self._cache.get(tenant_id)
        if hit is not None and time.monotonic() - hit.loaded < self._ttl:
            return hit
        with self._db.control_session() as session:
            tenant = live_tenant(session, tenant_id)
            entry = _Entry(time.monotonic(), TenantState(tenant.state), context_of(tenant))
        with self._lock:
            self._cache[tenant_id] = entry
        return entry
