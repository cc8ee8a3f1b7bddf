"""Files customers send: recorded with their message, downloaded by a worker, served, expired.

Where the bytes live: a folder per tenant under COMANDIA_HOME/media/<tenant id>/, with one row per
file in the tenant's database (`media`). Not in the database itself because a picture or a
voice note is written once and read whole, and in PostgreSQL it would swell the tenant's backups,
its WAL and every dump of a move, and a bytea is read into memory whole; a file streams at
constant memory and is deleted with one unlink. The folder is named by the tenant id the edge
resolved (never by a client's input), the file by a random id, so no path comes from outside.
The cost: a tenant's backup does not carry its media (they are customers' attachments with a
retention of days, not records of the business).

The inbox records a `pending` row per file in the transaction that processes the message; the
media worker (`jobs/media_worker.py`) downloads it off the webhook path through the number's
provider with its credentials, within `MediaLimits` (size cap, deadline, content-type allow-list),
retrying transient failures with backoff; a permanent failure or the last attempt leaves it
`failed` with its reason, which the transcript shows. The retention rule
(`media_retention_days`) deletes stored files older than that and marks their rows `expired`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Conversation, InboxEvent, MediaFile
from comandia.server.providers.media import MediaFetchError, MediaLimits
from comandia.server.services.messaging import changes
from comandia.server.services.messaging.directory import NumberDirectory
from comandia.server.services.messaging.outbox import NUMBER_REMOVED
from comandia.shared.domain.errors import Conflict, NotFound
from comandia.shared.domain.messages import Inbound
from comandia.shared.domain.times import utcnow
from comandia.shared.schemas.conversations import MediaEntry

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = dt.timedelta(minutes=5)
"""A claimed download is retried after this long if its worker died meanwhile."""
BACKOFF = dt.timedelta(seconds=10)


def record(session: Session, inbox_id: int, number_id: int, message: Inbound) -> int:
    """Queue the files of `message` for download (in the caller's transaction); returns how many."""
    for ref in message.media:
        session.add(
            MediaFile(
                public_id=secrets.token_urlsafe(12),
                inbox_id=inbox_id,
                number_id=number_id,
                kind=ref.kind[:16],
                provider_ref=ref.ref[:1024],
                declared_mime=(ref.mime or "")[:128] or None,
                filename=(ref.filename or "")[:255] or None,
                caption=message.text or None,
            )
        )
    return len(message.media)


def entries(session: Session, inbox_ids: list[int]) -> dict[int, list[MediaEntry]]:
    """The files of these inbox rows, as the transcript shows them, by inbox id."""
    found: dict[int, list[MediaEntry]] = {}
    if not inbox_ids:
        return found
    rows = session.scalars(sa.select(MediaFile).where(MediaFile.inbox_id.in_(inbox_ids)).order_by(MediaFile.id))
    for row in rows:
        found.setdefault(row.inbox_id, []).append(
            MediaEntry(
                id=row.public_id,
                kind=row.kind,
                state=row.state,
                mime=row.mime or row.declared_mime,
                size=row.size,
                caption=row.caption,
                filename=row.filename,
                error=row.error,
            )
        )
    return found


@dataclass(frozen=True)
class StoredMedia:
    """A downloaded file, to stream: its path, type, size and name for the download."""

    path: Path
    mime: str
    size: int
    filename: str


class MediaService:
    """Downloads, serves and expires the files customers send.

    Args:
        databases: the appliance's databases.
        directory: the numbers, for each one's provider client and credentials.
        root: the media folder (COMANDIA_HOME/media); each tenant has its own folder in it.
        limits: the caps on one download.
        retention_days: the tenant's `media_retention_days`.
        on_stored: told the tenant id when a file was stored or failed (the console refreshes).
        clock: the current instant.
    """

    def __init__(
        self,
        databases: Databases,
        directory: NumberDirectory,
        root: Path,
        limits: MediaLimits | None = None,
        retention_days: Callable[[str], int] = lambda tenant_id: 90,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._db = databases
        self._directory = directory
        self._root = root
        self._limits = limits or MediaLimits()
        self._retention_days = retention_days
        self._clock = clock

    def folder(self, tenant_id: str) -> Path:
        return self._root / tenant_id

    def fetch_due(self, tenant_id: str, limit: int = 20) -> int:
        """Download up to `limit` due files of the tenant, one at a time; returns how many were tried."""
        done = 0
        while done < limit and self._fetch_one(tenant_id):
            done += 1
        return done

    def _fetch_one(self, tenant_id: str) -> bool:
        now = self._clock()
        with self._db.tenant_session(tenant_id) as session:
            row = session.scalar(
                sa.select(MediaFile)
                .where(MediaFile.state == "pending", MediaFile.next_attempt_at <= now)
                .order_by(MediaFile.next_attempt_at, MediaFile.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if row is None:
                return False
            row.attempts += 1
            row.next_attempt_at = now + LEASE  # claimed; the network call is made outside the transaction
            media_id, number_id, ref, attempts = row.id, row.number_id, row.provider_ref, row.attempts
            relative = f"{now:%Y/%m}/{row.public_id}"
            session.commit()
        target = self.folder(tenant_id) / relative
        partial = target.with_name(target.name + ".part")
        try:
            downloaded = self._directory.provider(number_id).fetch_media(ref, partial, self._limits)
            partial.replace(target)
        except MediaFetchError as error:
            self._failed(tenant_id, media_id, error, attempts)
            return True
        except NotFound:
            self._failed(tenant_id, media_id, MediaFetchError("permanent", NUMBER_REMOVED), attempts)
            return True
        with self._db.tenant_session(tenant_id) as session:
            row = session.get(MediaFile, media_id, with_for_update=True)
            assert row is not None
            row.state, row.mime, row.size, row.sha256 = "stored", downloaded.mime, downloaded.size, downloaded.sha256
            row.path, row.stored_at, row.error = relative, self._clock(), None
            _announce(session, row)
            session.commit()
        return True

    def _failed(self, tenant_id: str, media_id: int, error: MediaFetchError, attempts: int) -> None:
        log.warning("tenant %s: media %d: %s", tenant_id, media_id, error.detail)
        with self._db.tenant_session(tenant_id) as session:
            row = session.get(MediaFile, media_id, with_for_update=True)
            assert row is not None
            row.error = error.reason[:500]  # a catalog text: read in the manager's language (chats.get)
            if error.kind == "permanent" or attempts >= MAX_ATTEMPTS:
                row.state = "failed"
                _announce(session, row)
            else:
                row.next_attempt_at = self._clock() + BACKOFF * 2 ** (attempts - 1)
            session.commit()

    def purge_expired(self, tenant_id: str) -> int:
        """Delete the tenant's stored files older than its retention; returns how many."""
        before = self._clock() - dt.timedelta(days=self._retention_days(tenant_id))
        with self._db.tenant_session(tenant_id) as session:
            rows = list(
                session.scalars(
                    sa.select(MediaFile)
                    .where(MediaFile.state == "stored", MediaFile.created_at < before)
                    .limit(1000)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                if row.path:
                    (self.folder(tenant_id) / row.path).unlink(missing_ok=True)
                row.state, row.path = "expired", None
            session.commit()
        return len(rows)

    def open(self, tenant_id: str, conversation_id: str, media_id: str) -> StoredMedia:
        """A stored file of this conversation, to stream.

        Raises:
            NotFound: no such file in this conversation of this tenant (another tenant's included).
            Conflict: the file is not (or no longer) stored: pending, failed or expired.
        """
        with self._db.tenant_session(tenant_id) as session:
            row = session.scalar(
                sa.select(MediaFile)
                .join(InboxEvent, InboxEvent.id == MediaFile.inbox_id)
                .join(
                    Conversation,
                    sa.and_(
                        Conversation.number_id == InboxEvent.number_id,
                        Conversation.customer_key == InboxEvent.customer_key,
                    ),
                )
                .where(MediaFile.public_id == media_id, Conversation.public_id == conversation_id)
            )
            if row is None:
                raise NotFound("media {id} does not exist", id=media_id[:40])
            if row.state != "stored" or not row.path:
                raise Conflict("the file is {state}", state=row.state)
            path = self.folder(tenant_id) / row.path
            if not path.is_file():
                raise Conflict("the file is {state}", state="missing")
            extension = (row.mime or "").rpartition("/")[2][:10]
            return StoredMedia(
                path,
                row.mime or "application/octet-stream",
                row.size or 0,
                row.filename or f"{row.kind}-{row.public_id}.{extension}",
            )


def _announce(session: Session, row: MediaFile) -> None:
    """Tell the changes feed the chat changed (the console shows the picture, or the failure)."""
    conversation = session.scalar(
        sa.select(Conversation.public_id)
        .join(
            InboxEvent,
            sa.and_(
                InboxEvent.number_id == Conversation.number_id, InboxEvent.customer_key == Conversation.customer_key
            ),
        )
        .where(InboxEvent.id == row.inbox_id)
    )
    if conversation is not None:
        changes.append(session, "conversation", conversation, "message")
