"""Cross-process cache invalidation: PostgreSQL LISTEN/NOTIFY on the control database.

Every server process caches the number map and the tenants' contexts and engines. A change made
by one process, or by `comandia-admin`, is announced after it commits; every process listening
(`comandia.server.jobs.changes.ChangeListener`) drops what it cached at once, instead of serving
the old value until its cache's ttl runs out. An announcement is a hint, never the data: a lost
one (a listener reconnecting) costs at most the ttl, and a reconnect drops everything.
"""

from __future__ import annotations

import logging
from enum import StrEnum

import sqlalchemy as sa

from comandia.server.db.sessions import Databases
from comandia.shared.domain.errors import DomainError

log = logging.getLogger(__name__)

CHANNEL = "comandia_changes"


class Change(StrEnum):
    """What changed; the tenant kinds carry the tenant id (`tenant:t_ab12`), a server its id."""

    NUMBERS = "numbers"
    TENANT = "tenant"  # deactivated, reactivated, deleted or moved: its contexts and its engine
    SETTINGS = "settings"  # the bot settings: its context only
    SERVER = "server"  # a database server's pooler (key: its id): every tenant's engine


def payload(change: Change, key: str = "") -> str:
    return f"{change}:{key}"


def parse(text: str) -> tuple[Change, str] | None:
    """The change a notification names, or None for one this version does not know."""
    kind, _, key = text.partition(":")
    try:
        return Change(kind), key
    except ValueError:
        return None


class ChangeAnnouncer:
    """Announces committed changes to every process (this one included)."""

    def __init__(self, databases: Databases) -> None:
        self._db = databases

    def numbers(self) -> None:
        self._announce(payload(Change.NUMBERS))

    def tenant(self, tenant_id: str) -> None:
        self._announce(payload(Change.TENANT, tenant_id))

    def settings(self, tenant_id: str) -> None:
        self._announce(payload(Change.SETTINGS, tenant_id))

    def server(self, server_id: int) -> None:
        self._announce(payload(Change.SERVER, str(server_id)))

    def _announce(self, text: str) -> None:
        try:
            with self._db.control_session() as session:
                session.execute(sa.select(sa.func.pg_notify(CHANNEL, text)))
                session.commit()
        except DomainError as error:
            # The change itself committed; other processes see it when their cache's ttl ends.
            log.warning("could not announce %s: %s", text, error.detail)
