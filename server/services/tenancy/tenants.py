"""Tenants: create (a database and a role of their own), list, show, deactivate, reactivate, delete.

Creating a tenant touches two places that share no transaction: the database server (role,
database) and the control database (registry row). The server side is done first and undone
if anything after it fails, so a failed create leaves no database, role or registry row behind.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db import template
from comandia.server.db.cluster import Cluster
from comandia.server.db.control_models import DbServer, Tenant
from comandia.server.db.sessions import Databases
from comandia.server.services import audit
from comandia.shared.domain import ids
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.domain.locales import (
    DEFAULT_LOCALE,
    currency_of,
    language_of,
    locale_for_zone,
    tenant_locale,
    zone_of,
)
from comandia.shared.domain.money import is_currency
from comandia.shared.domain.tenants import TenantState, clean_tenant_name
from comandia.shared.domain.times import is_timezone, utcnow
from comandia.shared.i18n import N_
from comandia.shared.schemas.tenants import TenantInfo

log = logging.getLogger(__name__)

LOCALES = ("es", "en")


@dataclass(frozen=True)
class NewTenant:
    """A tenant to provision. `locale` is a full locale (``es_AR``: the country, whose money, dates,
    currency and time zone are then the defaults) or the bot's language alone (``es``/``en``: the
    country then comes from the time zone); `country_locale` names the country explicitly."""

    name: str
    timezone: str | None = None
    currency: str | None = None
    locale: str | None = None
    server: str | None = None
    country_locale: str | None = None


@dataclass(frozen=True)
class _Resolved:
    timezone: str
    currency: str
    language: str
    country_locale: str


def _resolve(request: NewTenant) -> _Resolved:
    """Fill in what the request left out from what it gave (see `NewTenant`).

    Raises:
        ValidationFailed: a locale COMANDIA does not serve.
    """
    given = (request.locale or "").strip()
    language = given if given in LOCALES else None
    country = request.country_locale or (given if given and language is None else None)
    if country is not None:
        country = tenant_locale(country)
    elif request.timezone and is_timezone(request.timezone):
        country = locale_for_zone(request.timezone)
    else:
        country = tenant_locale(language or DEFAULT_LOCALE)
    return _Resolved(
        timezone=request.timezone or zone_of(country),
        currency=(request.currency or currency_of(country)).upper(),
        language=language or language_of(country),
        country_locale=country,
    )


class TenantService:
    """Provisioning and lifecycle of tenants.

    Args:
        databases: the appliance's databases.
        final_dump: called with (tenant, cluster) before a delete; returns the dump's path.
        changed: told the tenant id after it is deactivated, reactivated or deleted (drops the
            cached `TenantContext`; a restore deactivates and reactivates through here).
    """

    def __init__(
        self,
        databases: Databases,
        final_dump: Callable[[Tenant, Cluster], Path] | None = None,
        changed: Callable[[str], None] = lambda tenant_id: None,
    ) -> None:
        self._db = databases
        self._final_dump = final_dump
        self._changed = changed
        self._templates_ready: set[int] = set()
        self._lock = threading.Lock()

    def create(self, request: NewTenant, actor: str) -> TenantInfo:
        """Provision a tenant: role, database from the template, registry row, audit entry.

        Raises:
            ValidationFailed: a bad name, time zone, currency or locale.
            Conflict: a live tenant already has this name.
            NotFound: `request.server` is not registered.
            Unavailable: the database server does not answer.
        """
        resolved = _resolve(request)
        name = _validate(request.name, resolved)
        with self._db.control_session() as session:
            _ensure_name_free(session, name)
            server = _place(session, request.server)
            server_id = server.id
        cluster = self._db.cluster(server_id)
        tenant_id = _unused_tenant_id(self._db)
        database = ids.tenant_database_name(self._db.prefix, tenant_id)
        password = secrets.token_urlsafe(24)
        self._ensure_template(server_id, cluster)
        try:
            cluster.create_login_role(database, password)
            revision = self._copy_template(server_id, cluster, database, tenant_id)
            with self._db.control_session() as session:
                tenant = Tenant(
                    id=tenant_id,
                    name=name,
                    state=TenantState.ACTIVE,
                    timezone=resolved.timezone,
                    currency=resolved.currency,
                    locale=resolved.language,
                    country_locale=resolved.country_locale,
                    server_id=server_id,
                    database_name=database,
                    role_name=database,
                    role_password_sealed=self._db.box.seal(password),
                    schema_revision=revision,
                )
                session.add(tenant)
                audit.record(session, actor, "tenant.create", tenant_id, name=name, server=server.name)
                session.commit()
        except BaseException:
            _undo_create(cluster, database)
            raise
        return self.get(tenant_id)

    def get(self, tenant_id: str) -> TenantInfo:
        with self._db.control_session() as session:
            return _info(session, live_tenant(session, tenant_id))

    def list(self, include_deleted: bool = False) -> list[TenantInfo]:
        with self._db.control_session() as session:
            query = sa.select(Tenant).order_by(Tenant.created_at, Tenant.id)
            if not include_deleted:
                query = query.where(Tenant.state != TenantState.DELETED)
            return [_info(session, tenant) for tenant in session.scalars(query)]

    def deactivate(self, tenant_id: str, actor: str) -> TenantInfo:
        """Keep the data, refuse the tenant's logins and close its connections."""
        with self._db.control_session() as session:
            tenant = live_tenant(session, tenant_id, lock=True)
            if tenant.state == TenantState.INACTIVE:
                raise Conflict("tenant {tenant_id} is already inactive", tenant_id=tenant_id)
            tenant.state, tenant.deactivated_at = TenantState.INACTIVE, utcnow()
            audit.record(session, actor, "tenant.deactivate", tenant_id)
            session.commit()
        self._db.tenant_engines.forget(tenant_id)
        self._changed(tenant_id)
        return self.get(tenant_id)

    def reactivate(self, tenant_id: str, actor: str) -> TenantInfo:
        with self._db.control_session() as session:
            tenant = live_tenant(session, tenant_id, lock=True)
            if tenant.state == TenantState.ACTIVE:
                raise Conflict("tenant {tenant_id} is already active", tenant_id=tenant_id)
            tenant.state, tenant.deactivated_at = TenantState.ACTIVE, None
            audit.record(session, actor, "tenant.reactivate", tenant_id)
            session.commit()
        self._changed(tenant_id)
        return self.get(tenant_id)

    def delete(self, tenant_id: str, actor: str, keep_backup: bool = True) -> Path | None:
        """Drop the tenant's database and role; its registry row stays (state `deleted`).

        Returns:
            The folder of the final backup (dump + manifest), unless `keep_backup` is false.
        """
        with self._db.control_session() as session:
            tenant = live_tenant(session, tenant_id)
            session.expunge(tenant)
        cluster = self._db.cluster(tenant.server_id)
        dump: Path | None = None
        if keep_backup:
            if self._final_dump is None:
                raise ValidationFailed("no backup tool is configured; delete with keep_backup=False")
            dump = self._final_dump(tenant, cluster)
        self._db.tenant_engines.forget(tenant_id)
        cluster.drop_database(tenant.database_name)
        cluster.drop_role(tenant.role_name)
        with self._db.control_session() as session:
            row = session.get(Tenant, tenant_id, with_for_update=True)
            assert row is not None
            row.state, row.deleted_at = TenantState.DELETED, utcnow()
            audit.record(session, actor, "tenant.delete", tenant_id, final_dump=str(dump) if dump else None)
            session.commit()
        self._changed(tenant_id)
        return dump

    def _copy_template(self, server_id: int, cluster: Cluster, database: str, tenant_id: str) -> str | None:
        try:
            return template.copy_template(cluster, self._db.prefix, database, database, tenant_id)
        except psycopg.errors.InvalidCatalogName:
            # The template vanished behind our cache (an operator dropped it): rebuild it once.
            with self._lock:
                self._templates_ready.discard(server_id)
            self._ensure_template(server_id, cluster)
            return template.copy_template(cluster, self._db.prefix, database, database, tenant_id)

    def _ensure_template(self, server_id: int, cluster: Cluster) -> None:
        with self._lock:
            if server_id in self._templates_ready:
                return
        with cluster.exclusive("comandia-template"):
            template.ensure_template(cluster, self._db.prefix, self._db.budget, self._db.options)
        with self._lock:
            self._templates_ready.add(server_id)


def _validate(raw_name: str, resolved: _Resolved) -> str:
    name = clean_tenant_name(raw_name)
    problems: dict[str, str] = {}
    if not is_timezone(resolved.timezone):
        problems["timezone"] = N_("unknown time zone '{timezone}' (use an IANA name like America/Lima)")
    if not is_currency(resolved.currency):
        problems["currency"] = N_("unsupported currency '{currency}'")
    if problems:  # the detail names the first problem; `fields` carries each
        raise ValidationFailed(
            next(iter(problems.values())), problems, timezone=resolved.timezone, currency=resolved.currency
        )
    return name


def _ensure_name_free(session: Session, name: str) -> None:
    taken = session.scalar(
        sa.select(Tenant.id).where(sa.func.lower(Tenant.name) == name.lower(), Tenant.state != TenantState.DELETED)
    )
    if taken is not None:
        raise Conflict("a tenant named '{name}' already exists ({tenant_id})", name=name, tenant_id=taken)


def _place(session: Session, server_name: str | None) -> DbServer:
    """The named server, or the accepting server with the fewest live tenants."""
    if server_name is not None:
        server = session.scalar(sa.select(DbServer).where(DbServer.name == server_name))
        if server is None:
            raise NotFound("database server '{server}' is not registered", server=server_name)
        return server
    live = sa.func.count(Tenant.id).filter(Tenant.state != TenantState.DELETED)
    query = (
        sa.select(DbServer)
        .outerjoin(Tenant, Tenant.server_id == DbServer.id)
        .where(DbServer.accepts_tenants)
        .group_by(DbServer.id)
        .order_by(live, DbServer.id)
        .limit(1)
    )
    server = session.scalar(query)
    if server is None:
        raise NotFound("no database server accepts new tenants; add one with `comandia-admin server add`")
    return server


def _unused_tenant_id(databases: Databases) -> str:
    with databases.control_session() as session:
        while True:
            candidate = ids.new_tenant_id()
            if session.get(Tenant, candidate) is None:
                return candidate


def _undo_create(cluster: Cluster, database: str) -> None:
    try:
        cluster.drop_database(database)
        cluster.drop_role(database)
    except Exception:  # the original error matters more; log what is left behind
        log.exception("could not undo a failed tenant create: database/role %s may remain", database)


def live_tenant(session: Session, tenant_id: str, lock: bool = False) -> Tenant:
    """The registry row of a tenant that is not deleted. Raises: NotFound (also for a malformed id)."""
    tenant = session.get(Tenant, tenant_id, with_for_update=lock) if ids.is_tenant_id(tenant_id) else None
    if tenant is None or tenant.state == TenantState.DELETED:
        raise NotFound("tenant {tenant_id} does not exist", tenant_id=tenant_id)
    return tenant


def _info(session: Session, tenant: Tenant) -> TenantInfo:
    server = session.get(DbServer, tenant.server_id)
    return TenantInfo(
        id=tenant.id,
        name=tenant.name,
        state=tenant.state,
        timezone=tenant.timezone,
        currency=tenant.currency,
        locale=tenant.locale,
        country_locale=tenant.country_locale,
        server=server.name if server else "?",
        database=tenant.database_name,
        schema_revision=tenant.schema_revision,
        created_at=tenant.created_at,
        deactivated_at=tenant.deactivated_at,
    )
