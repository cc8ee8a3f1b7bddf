"""The manifest check's errors: each names what is wrong, in the reader's language (Spanish first)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comandia.server.services.backups.crypto import BackupDamaged
from comandia.server.services.backups.manifest import MANIFEST, checked_manifest


def _damaged(folder: Path) -> BackupDamaged:
    with pytest.raises(BackupDamaged) as caught:
        checked_manifest(folder)
    return caught.value


def test_a_backup_without_its_manifest_is_refused_in_spanish_and_english(tmp_path: Path) -> None:
    error = _damaged(tmp_path)
    assert error.localized("es") == f"el respaldo {tmp_path} no tiene manifiesto; no se puede confiar en él"
    assert error.localized("en") == f"backup {tmp_path} has no manifest; it cannot be trusted"


def test_a_truncated_dump_says_both_sizes_in_spanish(tmp_path: Path) -> None:
    (tmp_path / "t.dump").write_bytes(b"1234")
    manifest = {
        "label": "t", "tenant_id": None, "database": "d", "server": "main", "server_version": 16,
        "dump_tool_version": 16, "schema_revision": None, "started_at": "", "finished_at": "",
        "file": "t.dump", "size": 10, "sha256": "0" * 64, "encrypted": False, "key_id": None, "tables": {},
    }  # fmt: skip
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    error = _damaged(tmp_path)
    dump = tmp_path / "t.dump"
    assert error.localized("es") == (
        f"el archivo de respaldo {dump} tiene 4 bytes y el manifiesto dice 10 (¿truncado?)"
    )
