"""Composition root: the whole object graph (databases, services, signals, jobs) built from a ServerConfig.

Every entry point gets its services here and builds none of its own: `comandia-server` and each
`comandia-admin` command through `open_runtime`, the benchmarks and the tests too. A test or a
benchmark that needs another clock, or a stand-in for the bot, asks `build_services` for the
same graph with those `Collaborators` swapped in, so a hook (KPI rollups, customer notices) can
never be left out of one entry point's orders again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from comandia.server.config import ServerConfig
from comandia.server.db.changes import Change, ChangeAnnouncer
from comandia.server.db.cluster import Cluster, harden_own_cluster
from comandia.server.db.control_models import Tenant
from comandia.server.db.embedded import EmbeddedPostgres, start_embedded
from comandia.server.db.engines import database_deadline, libpq_conninfo, normalise_url
from comandia.server.db.scheduled_runs import claim_slot
from comandia.server.db.secretbox import load_secret_box
from comandia.server.db.sessions import Databases
from comandia.server.files import private_home
from comandia.server.jobs.alerts import AlertWorker
from comandia.server.jobs.backups import BackupJob, BackupSchedule
from comandia.server.jobs.changes import ChangeListener
from comandia.server.jobs.changes_pruner import ChangesPruner
from comandia.server.jobs.inbox_worker import InboxWorker, TenantClaims
from comandia.server.jobs.journal_drain import JournalDrain
from comandia.server.jobs.media_worker import MediaWorker
from comandia.server.jobs.outbox_worker import OutboxWorker
from comandia.server.jobs.pools import IdlePoolCloser
from comandia.server.jobs.summaries import CATCH_UP, SummaryRefresher
from comandia.server.jobs.sweeps import SweepPlan
from comandia.server.jobs.work_relay import JOURNAL, WORK_CHANNEL, WorkRelay
from comandia.server.providers.mail import SmtpMailer
from comandia.server.providers.media import MediaLimits
from comandia.server.services.audit import AuditService
from comandia.server.services.auth.hashing import PasswordHashing
from comandia.server.services.auth.logins import AuthService
from comandia.server.services.auth.throttle import LoginThrottle
from comandia.server.services.auth.users import UserService
from comandia.server.services.backups.backups import BackupService
from comandia.server.services.backups.crypto import load_key
from comandia.server.services.backups.moves import MoveService
from comandia.server.services.backups.recovery import RestoreService
from comandia.server.services.bundle import Services
from comandia.server.services.catalog.catalog import CatalogService
from comandia.server.services.catalog.imports import CatalogImportService
from comandia.server.services.customers import CustomerService
from comandia.server.services.kpis.admin_reports import AdminKpiService
from comandia.server.services.kpis.exports import ExportService
from comandia.server.services.kpis.reports import KpiService
from comandia.server.services.kpis.summaries import PendingSummaries, message_hook
from comandia.server.services.messaging import changes
from comandia.server.services.messaging.alerts import OrderAlerts, OrderAlertService
from comandia.server.services.messaging.changes import ChangeFeed
from comandia.server.services.messaging.chats import ChatService
from comandia.server.services.messaging.conversations import ConversationService
from comandia.server.services.messaging.directory import NumberDirectory, endpoints_for
from comandia.server.services.messaging.inbox import Conversations, InboxProcessor
from comandia.server.services.messaging.ingest import IngestService
from comandia.server.services.messaging.journal import IngestJournal
from comandia.server.services.messaging.media import MediaService
from comandia.server.services.messaging.notifications import StatusNotifier
from comandia.server.services.messaging.numbers import NumberService
from comandia.server.services.messaging.outbox import OutboxSender
from comandia.server.services.messaging.sandbox import SandboxChatService
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.services.messaging.window_resend import WindowClosedResender
from comandia.server.services.orders.orders import OnChange, OrderService
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.server.services.tenancy.migrations import MigrationService
from comandia.server.services.tenancy.servers import ServerService
from comandia.server.services.tenancy.settings import TenantSettingsService
from comandia.server.services.tenancy.tenants import TenantService
from comandia.shared.domain.errors import DomainError
from comandia.shared.domain.tenants import TenantState
from comandia.shared.domain.times import utcnow


@dataclass(frozen=True)
class Collaborators:
    """What a test, a benchmark or the demo may swap into the graph; the defaults are the real ones.

    Args:
        clock: the current instant for every service that stamps or compares times.
        conversations: the bot the inbox asks for replies (None: the real `ConversationService`;
            transport tests answer with a stand-in).
    """

    clock: Callable[[], dt.datetime] = utcnow
    conversations: Conversations | None = None


class ProcessRole(StrEnum):
    """What one `comandia-server` process runs (docs/architecture.md, "Several processes")."""

    ALL = "all"
    """Requests and every background job: the one process of `--workers 1`, or one of several hosts."""
    WEB = "web"
    """Requests only (`--workers N`): its webhooks, replies and alerts are relayed to the jobs process."""
    JOBS = "jobs"
    """Every background job and no requests: the journal drain, the bot, the sender, backups."""


class Job(Protocol):
    """A background thread of the server: started once, stopped once."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Runtime:
    """The appliance's databases, services and (not yet started) jobs; `close()` releases them all."""

    config: ServerConfig
    databases: Databases
    services: Services
    jobs: Sequence[Job] = field(default_factory=list)
    embedded: EmbeddedPostgres | None = None
    connector: ThreadPoolExecutor | None = None

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

    def rewired(self, collaborators: Collaborators) -> Services:
        """The same graph on the same databases with other collaborators (a demo clock, a test's stand-in)."""
        return build_services(self.config, self.databases, collaborators)

    def close(self) -> None:
        if self.services.journal is not None:
            self.services.journal.close()
        self.databases.close()
        if self.connector is not None:
            self.connector.shutdown(wait=False, cancel_futures=True)
        if self.embedded is not None:
            self.embedded.stop()


def open_runtime(
    config: ServerConfig, collaborators: Collaborators = Collaborators(), role: ProcessRole = ProcessRole.ALL
) -> Runtime:
    """Start (or join) the embedded PostgreSQL when no URL is configured, and build the whole graph
    with the jobs of `role`."""
    embedded = None
    private_home(config.home, embedded=not config.database_url)
    if config.database_url:
        primary = normalise_url(config.database_url)
    else:
        embedded = start_embedded(config.pgdata)
        primary = normalise_url(embedded.url)
    box = load_secret_box(config.secret_key, config.secret_key_file)
    # Opens connections that might outlast a request's database deadline (engines.py).
    connector = ThreadPoolExecutor(max_workers=8, thread_name_prefix="comandia-connect")
    databases = Databases(config, primary, box, connector)
    if embedded is not None:
        harden_own_cluster(databases.primary_cluster())
    services = build_services(config, databases, collaborators)
    return Runtime(config, databases, services, build_jobs(config, databases, services, role), embedded, connector)


def build_services(
    config: ServerConfig,
    databases: Databases,
    collaborators: Collaborators = Collaborators(),
) -> Services:
    """Every service and signal, with the order-change hooks (KPI rollups, customer notices) chained.

    Built bottom-up, so no service waits for one made after it: a tenant's deletion makes its
    final backup through `BackupService`, which needs no tenant service (restores, which do, are
    `RestoreService`); customer notices are worded by the pure chat brain, not by the
    conversation service that places orders.
    """
    clock = collaborators.clock
    contexts = TenantContexts(databases)
    announce = ChangeAnnouncer(databases)

    def tenant_changed(tenant_id: str) -> None:
        contexts.forget(tenant_id)
        announce.tenant(tenant_id)

    def settings_changed(tenant_id: str) -> None:
        contexts.forget(tenant_id)
        announce.settings(tenant_id)

    # A backup delivers its tenant's journaled webhooks first (`journal` is built below).
    backups = BackupService(databases, deliver_journal=lambda t: journal.deliver_tenant(t) if journal else 0)
    tenants = TenantService(
        databases, final_dump=lambda tenant, cluster: _final_dump(backups, tenant, cluster), changed=tenant_changed
    )
    catalog, customers = CatalogService(databases, contexts), CustomerService(databases)
    kpis = KpiService(
        databases, contexts, AdminKpiService(databases, clock=clock, zone=lambda t: contexts.get(t).timezone)
    )
    summaries = PendingSummaries(kpis.admin.refresh_summary)
    directory = NumberDirectory(
        databases, endpoints_for(config), public_url=config.public_url, announce=announce.numbers
    )
    inbox_signal, outbox_signal, alert_signal, media_signal = (
        DirtyTenants(),
        DirtyTenants(),
        DirtyTenants(),
        DirtyTenants(),
    )
    window_signal = DirtyTenants()

    def window_closed(tenant_ids: set[str]) -> None:
        window_signal.mark(tenant_ids)
        outbox_signal.mark(tenant_ids)  # wakes the outbox worker, which resends first

    if config.ingest not in ("journal", "direct"):
        raise ValueError(f"config key ingest: {config.ingest!r} is neither 'journal' nor 'direct'")
    messages_moved = message_hook(summaries, kpis.zone, clock)

    def delivery_failed(tenant_ids: set[str]) -> None:
        for tenant_id in tenant_ids:
            messages_moved(tenant_id)

    journal = (
        IngestJournal(
            databases,
            inbox_signal,
            directory.touch,
            on_window_closed=window_closed,
            on_delivery_failed=delivery_failed,
        )
        if config.ingest == "journal"
        else None
    )
    orders = OrderService(
        databases,
        on_change=_chain(
            kpis.on_change_hook(summaries.days_changed),
            StatusNotifier(directory, contexts, on_queued=lambda t: outbox_signal.mark({t}), clock=clock),
            OrderAlerts(contexts, on_queued=lambda t: alert_signal.mark({t})),
            changes.order_hook,  # last: it takes the feed's lock, held until the order commits
        ),
        clock=clock,
    )
    conversations = ConversationService(
        databases, orders, catalog, customers, clock=clock, idle_minutes=config.chat_idle_minutes
    )
    # One small pool hashes every password and one throttle counts every failed check, for
    # logins and password changes alike (RELIABILITY S17).
    hashing, throttle = PasswordHashing(), LoginThrottle(databases)
    return Services(
        tenants=tenants,
        servers=ServerService(databases, changed=announce.server),
        users=UserService(databases, hashing, throttle, first_password_file=config.first_password_file),
        migrations=MigrationService(databases),
        ready=lambda: _ready(databases, config.database_deadline_seconds),
        max_body_bytes=config.max_body_bytes,
        webhook_max_body_bytes=config.webhook_max_body_bytes,
        auth=AuthService(
            databases, dt.timedelta(hours=config.token_ttl_hours), clock=clock, hashing=hashing, throttle=throttle
        ),
        catalog=catalog,
        customers=customers,
        orders=orders,
        catalog_import=CatalogImportService(databases, contexts),
        backups=backups,
        restores=RestoreService(databases, backups, tenants, changed=tenant_changed),
        moves=MoveService(databases, backups, changed=tenant_changed),
        kpis=kpis,
        summaries=summaries,
        exports=ExportService(databases, kpis),
        conversations=conversations,
        numbers=NumberService(databases, directory),
        ingest=IngestService(
            databases,
            directory,
            inbox_signal,
            on_window_closed=window_closed,
            journal=journal,
            clock=clock,
            on_delivery_failed=delivery_failed,
        ),
        journal=journal,
        inbox=InboxProcessor(
            databases,
            directory,
            collaborators.conversations or conversations,
            contexts,
            clock=clock,
            on_queued=lambda t: outbox_signal.mark({t}),
            idle_minutes=lambda t: contexts.get(t).rules.handoff_idle_minutes,
            on_media=lambda t: media_signal.mark({t}),
            on_processed=messages_moved,
        ),
        outbox=OutboxSender(databases, directory, clock=clock, on_settled=messages_moved),
        inbox_signal=inbox_signal,
        outbox_signal=outbox_signal,
        number_directory=directory,
        contexts=contexts,
        public_url=config.public_url,
        trusted_proxies=config.trusted_proxies,
        audit=AuditService(databases, config.timezone),
        sandbox_chat=SandboxChatService(databases, conversations, contexts),
        tenant_settings=TenantSettingsService(databases, changed=settings_changed),
        chats=ChatService(databases, on_queued=lambda t: outbox_signal.mark({t}), clock=clock, contexts=contexts),
        changes=ChangeFeed(databases, clock=clock),
        alerts=OrderAlertService(
            databases,
            directory,
            SmtpMailer(config.smtp),
            contexts,
            on_handed=lambda t: outbox_signal.mark({t}),
            clock=clock,
        ),
        alert_signal=alert_signal,
        backup_key=lambda: load_key(config.backup_key_file) if config.backup_key_file else None,
        media=MediaService(
            databases,
            directory,
            config.media_dir,
            MediaLimits(
                max_bytes=config.media_max_bytes,
                deadline_seconds=config.media_deadline_seconds,
                read_seconds=config.whatsapp_timeout_seconds,
            ),
            retention_days=lambda t: contexts.get(t).rules.media_retention_days,
            clock=clock,
        ),
        media_signal=media_signal,
        window_resend=WindowClosedResender(databases, on_queued=lambda t: outbox_signal.mark({t}), clock=clock),
        window_signal=window_signal,
    )


def build_jobs(
    config: ServerConfig, databases: Databases, services: Services, role: ProcessRole = ProcessRole.ALL
) -> list[Job]:
    """The server's background threads for a process of `role`, not started.

    Every process listens for other processes' changes and closes its own idle pools and flushes
    the summary days its own orders marked. A request process (`WEB`) runs nothing else: it relays
    the work it made to the jobs process, and asks it once, at start, to catch the summary up. The
    others run the inbox workers, the journal drain, the outbox sender, the media and alert
    workers, the feed pruner, the summary's catch-up (one process at a time) and the daily backup
    when `backup_time` is set.
    """
    # Which tenants the workers' sweeps visit (jobs/sweeps.py); all of them once the listener is
    # back, since work announced meanwhile was not heard.
    plans = {kind: SweepPlan() for kind in ("inbox", "outbox", "media")}

    def reconnected() -> None:
        _forget_all(databases, services)
        for plan in plans.values():
            plan.sweep_all()

    listener = partial(
        ChangeListener,
        libpq_conninfo(databases.control_engine.url),
        on_change=lambda change, key: _forget(databases, services, change, key),
        on_reconnect=reconnected,
    )
    shared: list[Job] = [
        IdlePoolCloser(databases.tenant_engines, every_seconds=max(config.idle_pool_seconds / 4, 1)),
    ]
    if role == ProcessRole.WEB:
        # The catch-up is the jobs process's: this one only asks for it, once, as it starts.
        asking = SummaryRefresher(services.summaries, catch_up=lambda: _notify_work(databases, [f"{CATCH_UP}:"]))
        return [
            *shared,
            asking,
            listener(),
            WorkRelay(
                _work_signals(services),
                services.journal.pending if services.journal else None,
                notify=partial(_notify_work, databases),
            ),
        ]
    claims = TenantClaims(services.inbox_signal)
    # In the jobs process no request competes for the interpreter: every inbox worker works.
    busy = services.ingest.busy if role == ProcessRole.ALL else lambda: False
    jobs: list[Job] = [
        InboxWorker(
            services.inbox,
            services.inbox_signal,
            services.number_directory.tenant_ids,
            name=f"inbox-worker-{n}",
            claims=claims,
            yield_to=busy if n else lambda: False,
            plan=plans["inbox"],
        )
        for n in range(max(1, config.inbox_workers))
    ]
    if services.journal is not None:
        jobs.append(JournalDrain(services.journal))
    jobs.append(
        OutboxWorker(
            services.outbox,
            services.outbox_signal,
            services.number_directory.tenant_ids,
            resend=services.window_resend.resend,
            window_closed=services.window_signal,
            plan=plans["outbox"],
        )
    )
    jobs.append(
        MediaWorker(services.media, services.media_signal, services.number_directory.tenant_ids, plan=plans["media"])
    )
    jobs.append(AlertWorker(services.alerts, services.alert_signal))
    jobs.append(ChangesPruner(services.changes, services.number_directory.tenant_ids))
    jobs.extend(shared)
    jobs.append(SummaryRefresher(services.summaries, catch_up=lambda: _catch_up_summaries(services)))
    jobs.append(listener(on_work=partial(_work_arrived, services) if role == ProcessRole.JOBS else None))
    if config.backup_time:
        jobs.append(
            BackupJob(
                services.backups,
                BackupSchedule(
                    config.backup_time,
                    config.backup_keep_daily,
                    config.backup_keep_weekly,
                    config.backup_key_file,
                ),
                claim=lambda slot: claim_slot(databases, "daily-backup", slot),
            )
        )
    return jobs


def _work_signals(services: Services) -> dict[str, DirtyTenants]:
    """The signals a request process marks, by the kind the work relay names them with."""
    return {
        "inbox": services.inbox_signal,
        "outbox": services.outbox_signal,
        "alerts": services.alert_signal,
        "media": services.media_signal,
        "window": services.window_signal,
    }


def _work_arrived(services: Services, kind: str, tenant_ids: set[str]) -> None:
    """A request process made work (jobs/work_relay.py): wake this process's job for it."""
    if kind == JOURNAL:
        if services.journal is not None:
            services.journal.pending.set()
        return
    if kind == CATCH_UP:  # a request process started: the one before it may have died with days marked
        services.summaries.ask_catch_up()
        return
    signal = _work_signals(services).get(kind)
    if signal is not None:  # a kind from a newer version: its job's sweep finds the work
        signal.mark(tenant_ids)


def _catch_up_summaries(services: Services) -> None:
    """The days around today of every active tenant, then the summaries an upgrade left behind
    (once per tenant: `KpiService.rebuild_pending_summaries`)."""
    services.kpis.catch_up_summaries(
        tenant.id for tenant in services.tenants.list() if tenant.state == TenantState.ACTIVE
    )
    services.kpis.rebuild_pending_summaries()


def _notify_work(databases: Databases, texts: list[str]) -> None:
    with databases.journal_autocommit() as connection:
        connection.execute("SELECT pg_notify(%s, payload) FROM unnest(%s::text[]) AS payload", (WORK_CHANNEL, texts))


def _forget(databases: Databases, services: Services, change: Change, key: str) -> None:
    """Another process (or this one) announced a change: drop what this process cached of it."""
    if change == Change.NUMBERS:
        services.number_directory.forget()
    elif change in (Change.TENANT, Change.SETTINGS):
        services.contexts.forget(key)
        if change == Change.TENANT:  # deactivated, deleted or moved: its pool must not be reused
            databases.tenant_engines.forget(key)
    elif change == Change.SERVER:  # its pooler changed: its tenants connect the new way
        databases.forget_server(int(key))


def _forget_all(databases: Databases, services: Services) -> None:
    """The listener (re)connected: whatever changed while it was away was not heard, so nothing
    cached is trusted, tenant pools included (a tenant moved or deactivated meanwhile must not be
    written through its old pool; a connection lent now is closed when it comes back)."""
    services.number_directory.forget()
    services.contexts.forget_all()
    databases.tenant_engines.forget_all()
    databases.recheck_poolers()  # a pooler changed while the listener was away


def _chain(*hooks: OnChange) -> OnChange:
    def on_change(*change: Any) -> None:
        for hook in hooks:
            hook(*change)

    return on_change


def _final_dump(backups: BackupService, tenant: Tenant, cluster: Cluster) -> Path:
    # A delete's last dump is a regular backup: manifest, checksum and a registry row.
    return Path(backups.backup_tenant(tenant.id).path)


def _ready(databases: Databases, seconds: float) -> bool:
    try:
        # Bounded: a probe that hangs while the database is silent would hold a request thread.
        with database_deadline(seconds), databases.control_session() as session:
            session.execute(sa.text("SELECT 1"))
        return True
    except DomainError:
        return False
