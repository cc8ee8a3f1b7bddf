"""The manifest that travels with every backup file, and the integrity check that reads it.

A backup folder holds the dump (``<label>.dump`` or ``<label>.dump.enc``) and ``manifest.json``.
The manifest says what the dump must contain (rows and digests per table, taken in the same
snapshot as the dump) and what the file must be (size, SHA-256), so a backup can be checked
on any machine, without the control database.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from comandia.server.db.dump import TableDigest
from comandia.server.services.backups.crypto import BackupDamaged, file_sha256
from comandia.shared.schemas.backups import TableMismatch

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass
class Manifest:
    """What one backup holds. `sha256`/`size` are of the file as stored (encrypted or not)."""

    label: str
    tenant_id: str | None
    database: str
    server: str
    server_version: int
    dump_tool_version: int
    schema_revision: str | None
    started_at: str
    finished_at: str
    file: str
    size: int
    sha256: str
    encrypted: bool
    key_id: str | None
    tables: dict[str, TableDigest] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tables"] = {name: asdict(digest) for name, digest in self.tables.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        fields["tables"] = {name: TableDigest(int(t["rows"]), str(t["md5"])) for name, t in data["tables"].items()}
        return cls(**fields)


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    """Write `manifest.json` atomically (a temp file, fsync, rename) and return its path."""
    path = folder / MANIFEST
    partial = folder / (MANIFEST + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(manifest.to_json(), handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
    return path


def checked_manifest(folder: Path, expected_sha256: str | None = None) -> Manifest:
    """Read the manifest and prove the dump file matches it, touching no database.

    Args:
        expected_sha256: the digest the control database recorded, if any; it must agree too,
            so a file and manifest replaced together are still caught.

    Raises:
        BackupDamaged: the manifest is missing or unreadable, the file is missing, or its size
            or SHA-256 differ.
    """
    path = folder / MANIFEST
    try:
        manifest = Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as error:
        raise BackupDamaged("backup {folder} has no manifest; it cannot be trusted", folder=folder) from error
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupDamaged(
            "the manifest of backup {folder} is unreadable: {error}", folder=folder, error=error
        ) from error
    if manifest.format_version > FORMAT_VERSION:
        raise BackupDamaged(
            "backup {folder} has manifest format {version}; upgrade COMANDIA",
            folder=folder,
            version=manifest.format_version,
        )
    dump = folder / manifest.file
    if not dump.is_file():
        raise BackupDamaged("backup file {file} is missing", file=dump)
    digest, size = file_sha256(dump)
    if size != manifest.size:
        raise BackupDamaged(
            "backup file {file} has {size} bytes, the manifest says {expected} (truncated?)",
            file=dump,
            size=size,
            expected=manifest.size,
        )
    if digest != manifest.sha256:
        raise BackupDamaged("backup file {file} does not match its manifest's SHA-256 (altered)", file=dump)
    if expected_sha256 is not None and expected_sha256 != manifest.sha256:
        raise BackupDamaged(
            "backup {folder}'s manifest disagrees with the SHA-256 recorded in the registry", folder=folder
        )
    return manifest


def compare_tables(expected: dict[str, TableDigest], actual: dict[str, TableDigest]) -> list[TableMismatch]:
    """Differences between the manifest's tables and a restored database's, one per table, by name."""
    problems = [TableMismatch(name, "missing") for name in sorted(expected.keys() - actual.keys())]
    problems += [TableMismatch(name, "extra") for name in sorted(actual.keys() - expected.keys())]
    for name in sorted(expected.keys() & actual.keys()):
        want, got = expected[name], actual[name]
        if want.rows != got.rows:
            problems.append(TableMismatch(name, "rows", got.rows, want.rows))
        elif want.md5 != got.md5:
            problems.append(TableMismatch(name, "digest"))
    return problems
