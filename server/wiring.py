"""Composition root: every long-lived object is built here from the ServerConfig, and nowhere else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.chat import flow
from comandia.server.chat.model import Reply, TenantContext
from comandia.server.config import ServerConfig
from comandia.server.db.cluster import Cluster, harden_own_cluster
from comandia.server.db.control_models import Tenant
from comandia.server.db.embedded import EmbeddedPostgres, start_embedded
from comandia.server.db.engines import normalise_url
from comandia.server.db.secretbox import load_secret_box
from comandia.server.db.sessions import Databases
from comandia.server.services.audit import AuditService
from comandia.server.services.auth.logins import AuthService
from comandia.server.services.auth.users import UserService
from comandia.server.services.backups.backups import BackupService
from comandia.server.services.backups.crypto import load_key
from comandia.server.services.backups.moves import MoveService
from comandia.server.services.bundle import Services
from comandia.server.services.catalog.catalog import CatalogService
from comandia.server.services.catalog.imports import CatalogImportService
from comandia.server.services.customers import CustomerService
from comandia.server.services.kpis.exports import ExportService
from comandia.server.services.kpis.reports import KpiService
from comandia.server.services.messaging.conversations import ConversationService
from comandia.server.services.messaging.directory import NumberDirectory, endpoints_for
from comandia.server.services.messaging.inbox import InboxProcessor, TenantContexts
from comandia.server.services.messaging.ingest import DirtyTenants, IngestService
from comandia.server.services.messaging.notifications import make_status_notifier
from comandia.server.services.messaging.numbers import NumberService
from comandia.server.services.messaging.outbox import OutboxSender
from comandia.server.services.messaging.sandbox import SandboxChatService
from comandia.server.services.orders.orders import OrderService
from comandia.server.services.tenancy.migrations import MigrationService
from comandia.server.services.tenancy.servers import ServerService
from comandia.server.services.tenancy.settings import TenantSettingsService
from comandia.server.services.tenancy.tenants import TenantService
from comandia.shared.domain.errors import DomainError
from comandia.shared.schemas.orders import OrderDetail


@dataclass
class Runtime:
    """The appliance's services and the resources they hold; `close()` releases them all."""

    config: ServerConfig
    databases: Databases
    embedded: EmbeddedPostgres | None
    services: Services

    @property
    def tenants(self) -> TenantService:
        return self.services.tenants

    @property
    def servers(self) -> ServerService:
        return self.services.servers

    @property
    def users(self) -> UserService:
        return self.services.users

    @property
    def migrations(self) -> MigrationService:
        return self.services.migrations

    @property
    def backups(self) -> BackupService:
        return self.services.backups

    @property
    def moves(self) -> MoveService:
        return self.services.moves

    def close(self) -> None:
        self.databases.close()
        if self.embedded is not None:
            self.embedded.stop()


def open_runtime(config: ServerConfig) -> Runtime:
    """Start (or join) the embedded PostgreSQL when no URL is configured, and build the services."""
    embedded = None
    if config.database_url:
        primary = normalise_url(config.database_url)
    else:
        embedded = start_embedded(config.pgdata)
        primary = normalise_url(embedded.url)
    box = load_secret_box(config.secret_key, config.secret_key_file)
    databases = Databases(config, primary, box)
    if embedded is not None:
        harden_own_cluster(databases.primary_cluster())

    backups: BackupService | None = None

    def final_dump(tenant: Tenant, cluster: Cluster) -> Path:
        # A delete's last dump is a regular backup: manifest, checksum and a registry row.
        assert backups is not None
        return Path(backups.backup_tenant(tenant.id).path)

    def ready() -> bool:
        try:
            # Bounded: a probe that hangs while the database is silent would hold a request thread.
            return databases.within(check_control)
        except DomainError:
            return False

    def check_control() -> bool:
        with databases.control_session() as session:
            session.execute(sa.text("SELECT 1"))
        return True

    tenants = TenantService(databases, final_dump)
    backups = BackupService(databases, tenants)
    services = build_services(config, databases, tenants, backups, ready)
    return Runtime(config=config, databases=databases, embedded=embedded, services=services)


def build_services(
    config: ServerConfig, databases: Databases, tenants: TenantService, backups: BackupService,
    ready: Callable[[], bool],
) -> Services:
    """Every service, with the order-change hooks (KPI rollups, customer notices) chained."""
    catalog, customers = CatalogService(databases), CustomerService(databases)
    kpis = KpiService(databases)
    directory = NumberDirectory(databases, endpoints_for(config), public_url=config.public_url)
    inbox_signal, outbox_signal = DirtyTenants(), DirtyTenants()
    contexts = TenantContexts(databases)
    conversations: ConversationService | None = None

    def status_text(tenant: TenantContext, number: int, status: str) -> Reply:
        assert conversations is not None  # set just below; the hook runs only after wiring
        return conversations.status_notification(tenant, number, status)

    kpi_hook = kpis.on_change_hook()
    notify = make_status_notifier(directory, contexts, status_text, on_queued=lambda t: outbox_signal.mark({t}),
                                  status_label=flow.status_label)

    def on_order_change(session: Session, tenant_id: str, before: OrderDetail | None, after: OrderDetail) -> None:
        kpi_hook(session, tenant_id, before, after)
        notify(session, tenant_id, before, after)

    orders = OrderService(databases, on_change=on_order_change)
    conversations = ConversationService(databases, orders, catalog, customers, idle_minutes=config.chat_idle_minutes)
    return Services(
        tenants=tenants,
        servers=ServerService(databases),
        users=UserService(databases),
        migrations=MigrationService(databases),
        ready=ready,
        max_body_bytes=config.max_body_bytes,
        webhook_max_body_bytes=config.webhook_max_body_bytes,
        auth=AuthService(databases, dt.timedelta(hours=config.token_ttl_hours)),
        catalog=catalog,
        customers=customers,
        orders=orders,
        catalog_import=CatalogImportService(databases),
        backups=backups,
        moves=MoveService(databases, tenants, backups),
        kpis=kpis,
        exports=ExportService(databases, kpis),
        conversations=conversations,
        numbers=NumberService(databases, directory),
        ingest=IngestService(databases, directory, inbox_signal),
        inbox=InboxProcessor(databases, directory, conversations, contexts,
                             on_queued=lambda t: outbox_signal.mark({t})),
        outbox=OutboxSender(databases, directory),
        outbox_signal=outbox_signal,
        number_directory=directory,
        public_url=config.public_url,
        audit=AuditService(databases),
        sandbox_chat=SandboxChatService(databases, conversations),
        tenant_settings=TenantSettingsService(databases, changed=contexts.invalidate),
        backup_key=lambda: load_key(config.backup_key_file) if config.backup_key_file else None,
    )
