"""The ingest journal: acknowledged webhooks kept in one database until each tenant's own has them.

Writing every webhook straight into its tenant's database costs a connection per tenant: with
more busy tenants than the connection budget, most posts open one (and close another), and that
churn, not the insert, bounded ingest (docs/architecture.md, "The webhook's path"). So the
webhook writes one row per tenant of the post to `ingest_journal` in the control database, on
a pool of its own, and answers 200 once that row is committed. The drain (jobs/journal_drain.py)
then takes the waiting rows in batches, delivers each tenant's in one transaction on one of its
connections (per-tenant group commit), deletes them, and wakes the inbox workers.

Per-tenant separation: a row holds one tenant's events, sealed with a key derived for that
tenant (`SecretBox.derived`), is read by nothing but the drain, and lives until its delivery
commits (well under a second when the tenant's database answers). Delivery is idempotent, so a
crash between the tenant's commit and the row's deletion delivers it again and stores nothing
twice. A tenant whose database does not answer keeps its rows, is retried every few seconds,
and holds up no other tenant; a deleted tenant's rows are dropped. A backup delivers its
tenant's rows first (`deliver_tenant`), so what was acknowledged before it started is in it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, ThreadPoolExecutor

import msgspec
import psycopg

from comandia.server.db.control_models import IngestJournalRow
from comandia.server.db.engines import database_deadline
from comandia.server.db.secretbox import SecretBox
from comandia.server.db.sessions import Databases
from comandia.server.services.messaging.events import TenantEvents, deliver
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.shared.domain.errors import NotFound, Unavailable

log = logging.getLogger(__name__)

DRAIN_BATCH = 2000
"""Rows one drain pass takes at most."""
DELIVERY_THREADS = 12
"""Tenants delivered at once by one drain pass at most, each on one of its tenant's connections:
one per 2 connections of the process's budget, at least 2. A delivery is two waits (a connection
to open when the tenants outnumber the budget, and a durable commit), each 70-150 ms on a loaded
machine (6 December, load 10-16); the pass waits for its slowest thread, so a pass over 50
tenants took 1.5-2.5 s with 4 threads, and the rows that came meanwhile waited for the next."""
RETRY_SECONDS = 3.0
"""How long a tenant whose database failed is left out of the drain before it is tried again."""

_TABLE = IngestJournalRow.__tablename__
_APPEND = f"INSERT INTO {_TABLE} (tenant_id, sealed) VALUES (%s, %s)"  # noqa: S608 - our table
_TAKE = (
    f"SELECT id, tenant_id, sealed FROM {_TABLE} WHERE tenant_id <> ALL(%s) "  # noqa: S608 - our table
    "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED"
)
_DELETE = f"DELETE FROM {_TABLE} WHERE id = ANY(%s)"  # noqa: S608 - our table
_ONE_DRAIN = "SELECT pg_try_advisory_xact_lock(hashtext('comandia.ingest_journal.drain'))"
_AFTER_DRAIN = "SELECT pg_advisory_xact_lock(hashtext('comandia.ingest_journal.drain'))"
_TAKE_TENANT = f"SELECT id, sealed FROM {_TABLE} WHERE tenant_id = %s ORDER BY id FOR UPDATE"  # noqa: S608 - our table
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(TenantEvents)


class IngestJournal:
    """Args:
    databases: where the journal (control database) and the tenants' databases are.
    dirty: the inbox workers' signal, marked for every tenant that received messages.
    touch: records that numbers received a webhook (`NumberDirectory.touch`).
    on_window_closed: told the tenants whose delivered statuses say the 24-hour window refused a message.
    on_delivery_failed: told the tenants whose delivered statuses say a message was not delivered.
    delivery_threads: tenants delivered at once (default: from the budget, see `DELIVERY_THREADS`).
    """

    def __init__(
        self,
        databases: Databases,
        dirty: DirtyTenants,
        touch: Callable[[set[int]], None],
        clock: Callable[[], float] = time.monotonic,
        on_window_closed: Callable[[set[str]], None] = lambda tenant_ids: None,
        delivery_threads: int | None = None,
        on_delivery_failed: Callable[[set[str]], None] = lambda tenant_ids: None,
    ) -> None:
        self._db = databases
        self._on_window_closed = on_window_closed
        self._on_delivery_failed = on_delivery_failed
        self._dirty = dirty
        self._touch = touch
        self._clock = clock
        self._boxes: dict[str, SecretBox] = {}
        self._retry_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self._deliveries = ThreadPoolExecutor(
            max_workers=delivery_threads or max(2, min(DELIVERY_THREADS, databases.config.connection_budget // 2)),
            thread_name_prefix="journal-delivery",
        )
        self.pending = threading.Event()
        """Set when this process journaled rows (the drain waits on it)."""

    def append(self, by_tenant: Mapping[str, TenantEvents]) -> None:
        """Journal each tenant's events, sealed, in one statement: committed when this returns.

        Raises:
            Unavailable: the control database did not take them (the webhook answers 503).
        """
        rows = [
            (tenant_id, self._box(tenant_id).seal_bytes(_ENCODER.encode(events)))
            for tenant_id, events in by_tenant.items()
        ]
        if not rows:
            return
        with self._db.journal_autocommit() as connection:
            if len(rows) == 1:
                connection.execute(_APPEND, rows[0])
            else:
                connection.cursor().executemany(_APPEND, rows)
        self.pending.set()

    def drain(self, limit: int = DRAIN_BATCH) -> int:
        """Deliver up to `limit` journaled rows (any process's) and delete those delivered.

        One pass at a time on the whole appliance (an advisory lock held by the pass's
        transaction): two processes draining side by side could take one customer's two
        messages apart and store the second first, and the bot would read "sí" before the order.
        A process that finds a pass running leaves its rows to it (`pending` stays set, so it
        tries again shortly). Returns how many rows were taken.

        Raises:
            Unavailable: the control database is not reachable (rows stay for the next pass).
        """
        self.pending.clear()
        now = self._clock()
        with self._lock:
            resting = [t for t, at in self._retry_at.items() if at > now]
        marked: set[str] = set()
        closed: set[str] = set()
        failed: set[str] = set()
        numbers: set[int] = set()
        with self._db.journal_autocommit() as connection, connection.transaction():
            running = connection.execute(_ONE_DRAIN).fetchone()
            if not (running and running[0]):
                self.pending.set()
                return 0
            taken = connection.execute(_TAKE, (resting, limit)).fetchall()
            by_tenant: dict[str, list[tuple[int, bytes]]] = defaultdict(list)
            for row_id, tenant_id, sealed in taken:
                by_tenant[tenant_id].append((row_id, sealed))
            done: list[int] = []
            # Tenants side by side: a delivery mostly waits (a connection to open, a commit), and
            # the interpreter is free meanwhile.
            delivered = self._deliveries.map(
                lambda item: self._deliver(item[0], [sealed for _, sealed in item[1]]), by_tenant.items()
            )
            try:
                results = list(delivered)
            except CancelledError:  # the runtime closed under this pass: its rows stay for the next start
                raise Unavailable("the server is stopping; the journal is drained at the next start") from None
            for (tenant_id, rows), events in zip(by_tenant.items(), results, strict=True):
                if events is None:
                    continue
                done.extend(row_id for row_id, _ in rows)
                numbers.update(events.numbers)
                if events.has_messages:
                    marked.add(tenant_id)
                if events.window_closed:
                    closed.add(tenant_id)
                if events.delivery_failed:
                    failed.add(tenant_id)
            if done:
                connection.execute(_DELETE, (done,))
        self._dirty.mark(marked)
        if closed:
            self._on_window_closed(closed)  # a sent message the window refused: resent as its template
        if failed:
            self._on_delivery_failed(failed)  # the summary's failed sends
        if numbers:
            self._touch(numbers)
        return len(taken)

    def deliver_tenant(self, tenant_id: str) -> int:
        """Deliver every row journaled for one tenant so far, now; returns how many are left behind.

        A backup calls this before it dumps the tenant's database, so a message acknowledged a
        moment before is in the backup. It waits for a drain pass that is running (any
        process's: one pass at a time keeps a customer's messages in order). Rows left behind
        (the tenant's database did not take them, or they cannot be opened) stay for the drain
        and are logged by `_deliver`.

        Raises:
            Unavailable: the control database is not reachable.
        """
        with self._db.journal_autocommit() as connection, connection.transaction():
            connection.execute(_AFTER_DRAIN)
            rows = connection.execute(_TAKE_TENANT, (tenant_id,)).fetchall()
            events = self._deliver(tenant_id, [sealed for _, sealed in rows]) if rows else None
            if events is None:
                return len(rows)
            connection.execute(_DELETE, ([row_id for row_id, _ in rows],))
        if events.has_messages:
            self._dirty.mark({tenant_id})
        if events.window_closed:
            self._on_window_closed({tenant_id})
        if events.delivery_failed:
            self._on_delivery_failed({tenant_id})
        if events.numbers:
            self._touch(set(events.numbers))
        return 0

    def _deliver(self, tenant_id: str, sealed: list[bytes]) -> TenantEvents | None:
        """Store a tenant's rows in its database in one transaction; their events, or None if they stay."""
        try:
            events = _merged([_DECODER.decode(self._box(tenant_id).open_bytes(token)) for token in sealed])
        except (ValueError, msgspec.DecodeError):
            log.exception(
                "ingest journal: rows of tenant %s cannot be opened (COMANDIA_SECRET_KEY changed?); "
                "they stay in ingest_journal",
                tenant_id,
            )
            self._rest(tenant_id, 60 * RETRY_SECONDS)
            return None
        try:
            # Pipelined: BEGIN, the inserts and COMMIT go out together, one round trip in all.
            with (
                database_deadline(self._db.config.database_deadline_seconds),
                self._db.tenant_autocommit(tenant_id) as connection,
                connection.pipeline(),
                connection.transaction(),
            ):
                deliver(connection, events)
        except NotFound:
            log.warning(
                "ingest journal: tenant %s no longer exists; %d of its messages dropped", tenant_id, len(events.inbox)
            )
            return TenantEvents()
        except (Unavailable, psycopg.OperationalError) as error:
            log.warning("ingest journal: tenant %s: %s; retried in %.0f s", tenant_id, error, RETRY_SECONDS)
            self._rest(tenant_id, RETRY_SECONDS)
            return None
        with self._lock:
            self._retry_at.pop(tenant_id, None)
        return events

    def close(self) -> None:
        """Stop the delivery threads (the runtime closes; rows not delivered stay for the next start)."""
        self._deliveries.shutdown(wait=True, cancel_futures=True)

    def _rest(self, tenant_id: str, seconds: float) -> None:
        with self._lock:
            self._retry_at[tenant_id] = self._clock() + seconds

    def _box(self, tenant_id: str) -> SecretBox:
        with self._lock:
            box = self._boxes.get(tenant_id)
        if box is None:
            box = self._db.box.derived(f"ingest-journal:{tenant_id}")
            with self._lock:
                self._boxes[tenant_id] = box
        return box


def _merged(parts: list[TenantEvents]) -> TenantEvents:
    """One tenant's rows of several webhooks, in order: stored with one statement per table."""
    if len(parts) == 1:
        return parts[0]
    merged = TenantEvents()
    for part in parts:
        merged.inbox.extend(part.inbox)
        merged.statuses.extend(part.statuses)
        merged.raises.extend(part.raises)
        merged.numbers.extend(part.numbers)
    return merged
