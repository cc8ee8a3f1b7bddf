"""The services the edges (HTTP, jobs, comandia-admin) are handed by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from comandia.server.services.audit import AuditService
from comandia.server.services.auth.logins import AuthService
from comandia.server.services.auth.users import UserService
from comandia.server.services.backups.backups import BackupService
from comandia.server.services.backups.moves import MoveService
from comandia.server.services.backups.recovery import RestoreService
from comandia.server.services.catalog.catalog import CatalogService
from comandia.server.services.catalog.imports import CatalogImportService
from comandia.server.services.customers import CustomerService
from comandia.server.services.kpis.exports import ExportService
from comandia.server.services.kpis.reports import KpiService
from comandia.server.services.kpis.summaries import PendingSummaries
from comandia.server.services.messaging.alerts import OrderAlertService
from comandia.server.services.messaging.changes import ChangeFeed
from comandia.server.services.messaging.chats import ChatService
from comandia.server.services.messaging.conversations import ConversationService
from comandia.server.services.messaging.directory import NumberDirectory
from comandia.server.services.messaging.inbox import InboxProcessor
from comandia.server.services.messaging.ingest import IngestService
from comandia.server.services.messaging.journal import IngestJournal
from comandia.server.services.messaging.media import MediaService
from comandia.server.services.messaging.numbers import NumberService
from comandia.server.services.messaging.outbox import OutboxSender
from comandia.server.services.messaging.sandbox import SandboxChatService
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.services.messaging.window_resend import WindowClosedResender
from comandia.server.services.orders.orders import OrderService
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.server.services.tenancy.migrations import MigrationService
from comandia.server.services.tenancy.servers import ServerService
from comandia.server.services.tenancy.settings import TenantSettingsService
from comandia.server.services.tenancy.tenants import TenantService


@dataclass(frozen=True)
class Services:
    """Every service of one appliance, built together by `server.wiring.build_services`."""

    tenants: TenantService
    servers: ServerService
    users: UserService
    migrations: MigrationService
    ready: Callable[[], bool]
    max_body_bytes: int
    webhook_max_body_bytes: int
    auth: AuthService
    catalog: CatalogService
    customers: CustomerService
    orders: OrderService
    catalog_import: CatalogImportService
    backups: BackupService
    restores: RestoreService
    moves: MoveService
    conversations: ConversationService
    kpis: KpiService
    summaries: PendingSummaries
    """Days whose superadmin summary waits for the summary refresher (copied at once without it)."""
    exports: ExportService
    numbers: NumberService
    ingest: IngestService
    journal: IngestJournal | None
    """Where webhooks are kept until the drain delivers them (None: `ingest = "direct"`)."""
    inbox: InboxProcessor
    outbox: OutboxSender
    inbox_signal: DirtyTenants
    """Tenants with new inbox rows (the webhook tells the inbox workers)."""
    outbox_signal: DirtyTenants
    """Tenants with newly queued replies (the inbox and status notices tell the outbox sender)."""
    number_directory: NumberDirectory
    contexts: TenantContexts
    """The bot's view of each tenant, cached (dropped when its settings change)."""
    public_url: str | None
    trusted_proxies: tuple[str, ...]
    """Addresses or networks of the reverse proxies whose X-Forwarded-For is believed."""
    audit: AuditService
    sandbox_chat: SandboxChatService
    tenant_settings: TenantSettingsService
    chats: ChatService
    """Conversations as people read and answer them (list, transcript, takeover, release, reply)."""
    changes: ChangeFeed
    """What the console must redraw: new orders, status changes, chats (polled by cursor)."""
    alerts: OrderAlertService
    """New-order alerts to the business's own numbers and addresses (sent by the alert job, listed)."""
    alert_signal: DirtyTenants
    """Tenants with newly queued order alerts (told after the order commits)."""
    backup_key: Callable[[], bytes | None]
    """The backup encryption key from COMANDIA_BACKUP_KEY_FILE, read at each use (None: unencrypted)."""
    media: MediaService
    """The files customers send: downloaded by the media worker, served to managers, expired."""
    media_signal: DirtyTenants
    """Tenants whose inbox just recorded files to download (wakes the media worker)."""
    window_resend: WindowClosedResender
    """Messages reported failed after sending because the 24-hour window had closed: resent as their template."""
    window_signal: DirtyTenants
    """Tenants whose webhook just reported such a failure (the outbox worker resends at once)."""
