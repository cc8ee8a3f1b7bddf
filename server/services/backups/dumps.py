"""Dump one database into a backup folder: file, SHA-256 and per-table digests from one snapshot.

The dump and the digests see the same data: a REPEATABLE READ transaction exports its snapshot
(``pg_export_snapshot()``), pg_dump adopts it with ``--snapshot`` while the transaction stays
open, and the same transaction counts and hashes every table. Writers may keep writing; the
manifest still describes the dump exactly.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from comandia.server.db import dump
from comandia.server.db.cluster import Cluster, Connection
from comandia.server.files import private_dir
from comandia.server.services.backups.crypto import CHUNK, SealedWriter, key_id
from comandia.server.services.backups.manifest import Manifest, write_manifest
from comandia.shared.domain.times import utcnow


@dataclass(frozen=True)
class DumpTarget:
    """A database to back up: a tenant's (`tenant_id` set) or the control database."""

    label: str
    tenant_id: str | None
    server_id: int | None  # None: the primary server (the control database's)
    database: str


def dump_to_folder(target: DumpTarget, cluster: Cluster, folder: Path, key: bytes | None) -> Manifest:
    """Write `<label>.dump[.enc]` and `manifest.json` into `folder` (created, mode 0700, as are the
    missing folders above it, `backups/` among them).

    Raises:
        Unavailable: the server does not answer or pg_dump failed; nothing is left in `folder`.
    """
    private_dir(folder)
    name = f"{target.label}.dump" + (".enc" if key is not None else "")
    partial = folder / (name + ".partial")
    started = utcnow()
    server_version = cluster.version()
    tool = dump.find_tool("pg_dump", server_version)
    try:
        with cluster.connect(target.database) as connection, connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            row = connection.execute("SELECT pg_export_snapshot()").fetchone()
            assert row is not None
            process = dump.start_dump(tool, cluster.admin_url, target.database, str(row[0]))
            pump = _Pump(process, partial, key)
            pump.start()
            try:
                tables = dump.table_digests(connection)
                revision_row = connection.execute(
                    "SELECT version_num FROM alembic_version LIMIT 1" if _has_alembic(connection) else "SELECT NULL"
                ).fetchone()
            except BaseException:
                process.kill()
                raise
            finally:
                pump.join()
            dump.finish_process(process, f"pg_dump of {target.database}")
            if pump.error is not None:
                raise pump.error
        final = folder / name
        partial.replace(final)
        _fsync_dir(folder)
        manifest = Manifest(
            label=target.label,
            tenant_id=target.tenant_id,
            database=target.database,
            server=cluster.name,
            server_version=server_version,
            dump_tool_version=dump.tool_major(tool),
            schema_revision=None if revision_row is None or revision_row[0] is None else str(revision_row[0]),
            started_at=started.isoformat(),
            finished_at=utcnow().isoformat(),
            file=name,
            size=pump.writer.size,
            sha256=pump.writer.sha256.hexdigest(),
            encrypted=key is not None,
            key_id=key_id(key) if key is not None else None,
            tables=tables,
        )
        write_manifest(folder, manifest)
        return manifest
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _has_alembic(connection: Connection) -> bool:
    row = connection.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()
    return bool(row and row[0])


class _Pump(threading.Thread):
    """Copies pg_dump's stdout into the (possibly encrypted) file while the digests run."""

    def __init__(self, process: subprocess.Popen[bytes], path: Path, key: bytes | None) -> None:
        super().__init__(name="backup-pump", daemon=True)
        self._process = process
        self._path = path
        self._key = key
        self.error: BaseException | None = None
        self.writer: SealedWriter

    def run(self) -> None:
        try:
            assert self._process.stdout is not None
            with self._path.open("wb") as handle:
                self.writer = SealedWriter(handle, self._key)
                while block := self._process.stdout.read(CHUNK):
                    self.writer.write(block)
                self.writer.close()
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException as error:  # handed to the caller's thread, which re-raises it
            self.error = error
            with contextlib.suppress(OSError):
                self._process.kill()


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
