"""`comandia-admin backup ...` and `tenant move`: handlers driven with a Runtime and parsed arguments."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from comandia.provisioning.commands import backups as backup_commands
from comandia.provisioning.commands import tenants as tenant_commands
from comandia.provisioning.output import Output
from comandia.server.wiring import Runtime
from comandia.shared.schemas.tenants import TenantInfo


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="comandia-admin")
    commands = root.add_subparsers(dest="command", required=True)
    tenant_commands.register(commands)
    backup_commands.register(commands)
    backup_commands.register_move(commands)
    return root


def admin(runtime: Runtime, *argv: str) -> tuple[int, Any, str]:
    """Run one command with --json; returns (exit code, parsed stdout, stderr)."""
    args = parser().parse_args(list(argv))
    stdout, stderr = io.StringIO(), io.StringIO()
    code = args.handler(runtime, args, Output(True, stdout, stderr))
    text = stdout.getvalue().strip()
    return code, (json.loads(text) if text else None), stderr.getvalue()


@pytest.fixture
def tenant(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> TenantInfo:
    made = make_tenant(server="main")
    with runtime.databases.tenant_session(made.id) as session:
        session.execute(sa.text("CREATE TABLE notes (id int PRIMARY KEY, body text)"))
        session.execute(sa.text("INSERT INTO notes SELECT g, repeat('x', g % 50) FROM generate_series(1, 2000) g"))
        session.commit()
    return made


def notes(runtime: Runtime, tenant_id: str) -> list[tuple[Any, ...]]:
    with runtime.databases.tenant_session(tenant_id) as session:
        return [tuple(r) for r in session.execute(sa.text("SELECT * FROM notes ORDER BY id"))]


def test_run_with_verify_then_list_and_verify_latest(runtime: Runtime, tenant: TenantInfo) -> None:
    code, result, _ = admin(runtime, "backup", "run", tenant.id, "--control", "--verify")
    assert code == 0 and result["ok"]
    assert [o["label"] for o in result["outcomes"]] == [tenant.id, "control"]
    assert all(o["verify"]["ok"] for o in result["outcomes"])
    code, listed, _ = admin(runtime, "backup", "list", tenant.id)
    assert code == 0 and listed[0]["verify_result"] == "ok" and listed[0]["tenant_id"] == tenant.id
    code, report, _ = admin(runtime, "backup", "verify", "--latest", tenant.id)
    assert code == 0 and report["ok"] and report["stage"] == "compare"
    shown_as = {"es": "{tables} tablas, {rows} filas coinciden", "en": "{tables} tables, {rows} rows match"}
    for language, match in shown_as.items():
        args = parser().parse_args(["backup", "verify", "--latest", tenant.id])
        shown = io.StringIO()
        assert args.handler(runtime, args, Output(False, shown, io.StringIO(), language=language)) == 0
        assert match.format(tables=report["tables"], rows=report["rows"]) in shown.getvalue(), shown.getvalue()


def test_one_failing_tenant_does_not_stop_the_others_and_exits_1(
    runtime: Runtime, tenant: TenantInfo, make_tenant: Callable[..., TenantInfo]
) -> None:
    broken = make_tenant(server="main")
    runtime.databases.tenant_engines.forget(broken.id)
    runtime.databases.primary_cluster().drop_database(broken.database)  # gone behind the registry's back

    code, result, stderr = admin(runtime, "backup", "run", broken.id, tenant.id)

    assert code == 1 and broken.id in stderr
    by_label = {o["label"]: o for o in result["outcomes"]}
    assert by_label[tenant.id]["ok"] and not by_label[broken.id]["ok"]
    assert by_label[broken.id]["error"]
    code, listed, _ = admin(runtime, "backup", "list", broken.id)
    assert listed[0]["status"] == "failed" and listed[0]["error"]


def flipped_backup(runtime: Runtime, tenant: TenantInfo) -> dict[str, Any]:
    """A new backup of `tenant` (as `backup run --json` lists it) with one byte of its dump flipped."""
    _, result, _ = admin(runtime, "backup", "run", tenant.id)
    backup: dict[str, Any] = result["outcomes"][0]["backup"]
    dump = Path(backup["path"]) / f"{tenant.id}.dump"
    data = bytearray(dump.read_bytes())
    data[100] ^= 0xFF
    dump.write_bytes(bytes(data))
    return backup


def test_verify_of_a_flipped_byte_exits_1_and_restore_refuses(runtime: Runtime, tenant: TenantInfo) -> None:
    backup = flipped_backup(runtime, tenant)
    before = notes(runtime, tenant.id)

    code, report, stderr = admin(runtime, "backup", "verify", str(backup["id"]))
    assert code == 1 and report["stage"] == "integrity" and "SHA-256" in stderr
    with pytest.raises(Exception, match="SHA-256"):
        admin(runtime, "backup", "restore", tenant.id, "--at", str(backup["id"]), "--yes")
    assert notes(runtime, tenant.id) == before


def test_encrypted_restore_in_place_and_as_a_new_tenant(runtime: Runtime, tenant: TenantInfo, tmp_path: Path) -> None:
    key = tmp_path / "backup.key"
    assert admin(runtime, "backup", "keygen", str(key))[0] == 0
    assert admin(runtime, "backup", "keygen", str(key))[0] == 1  # never overwrites a key
    before = notes(runtime, tenant.id)
    code, result, _ = admin(runtime, "backup", "run", tenant.id, "--encrypt-key", str(key))
    assert code == 0 and result["outcomes"][0]["backup"]["encrypted"]
    with runtime.databases.tenant_session(tenant.id) as session:
        session.execute(sa.text("DELETE FROM notes WHERE id > 10"))
        session.commit()

    code, _, stderr = admin(runtime, "backup", "restore", tenant.id, "--encrypt-key", str(key))
    assert code == 1 and "--yes" in stderr  # no terminal, no --yes: nothing happens
    code, restored, _ = admin(runtime, "backup", "restore", tenant.id, "--yes", "--encrypt-key", str(key))
    assert code == 0 and restored["state"] == "active" and notes(runtime, tenant.id) == before
    code, copy, _ = admin(
        runtime, "backup", "restore", tenant.id, "--as", f"Copy {tenant.name}", "--encrypt-key", str(key)
    )
    assert code == 0 and copy["id"] != tenant.id and notes(runtime, copy["id"]) == before


def test_prune_and_usage_errors(runtime: Runtime, tenant: TenantInfo) -> None:
    assert admin(runtime, "backup", "run")[0] == 2
    code, pruned, _ = admin(runtime, "backup", "prune", "--keep-daily", "1", "--keep-weekly", "0")
    assert code == 0 and isinstance(pruned, list)


@pytest.fixture
def far_server(extra_server: str) -> str:
    return extra_server


def test_tenant_move_command(runtime: Runtime, tenant: TenantInfo, far_server: str) -> None:
    before = notes(runtime, tenant.id)
    code, report, _ = admin(runtime, "tenant", "move", tenant.id, "--to", far_server, "--drop-source", "--yes")
    assert code == 0 and report["target"] == far_server and report["source_dropped"]
    assert runtime.tenants.get(tenant.id).server == far_server
    assert notes(runtime, tenant.id) == before


def shown(runtime: Runtime, language: str, *argv: str) -> tuple[int, str, str]:
    """Run one command for a person reading `language`; returns (exit code, stdout, stderr)."""
    args = parser().parse_args(list(argv))
    stdout, stderr = io.StringIO(), io.StringIO()
    code = args.handler(runtime, args, Output(False, stdout, stderr, language=language))
    return code, stdout.getvalue(), stderr.getvalue()


def test_a_damaged_backup_and_a_tampered_table_read_in_spanish(runtime: Runtime, tenant: TenantInfo) -> None:
    damaged = flipped_backup(runtime, tenant)

    code, out, err = shown(runtime, "es", "backup", "verify", str(damaged["id"]))
    assert code == 1
    assert "FALLÓ (integridad)" in out and "no coincide con el SHA-256 de su manifiesto (alterado)" in out, out
    assert "falló su prueba de restauración en integridad: el archivo de respaldo" in err, err
    assert "does not match" not in out + err and "Traceback" not in out + err

    # a manifest that promises one note more than the dump holds: the file is intact, a table is not
    _, result, _ = admin(runtime, "backup", "run", tenant.id)
    tampered = result["outcomes"][0]["backup"]
    manifest = Path(tampered["path"]) / "manifest.json"
    written = json.loads(manifest.read_text())
    written["tables"]["public.notes"]["rows"] += 1
    manifest.write_text(json.dumps(written))

    code, out, err = shown(runtime, "es", "backup", "verify", str(tampered["id"]))
    assert code == 1
    assert "(comparación)" in out and "las tablas restauradas difieren del manifiesto de la copia" in out, out
    assert "public.notes: filas 2000, esperadas 2001" in out and "public.notes: filas 2000, esperadas 2001" in err
    assert "expected" not in out + err
    code, out, _ = shown(runtime, "en", "backup", "verify", str(tampered["id"]))
    assert code == 1 and "public.notes: 2000 rows, expected 2001" in out and "(comparison)" in out, out

    # scripts read the failure as data, the same on the check and on the backup's row
    code, report, _ = admin(runtime, "backup", "verify", str(tampered["id"]))
    assert report["failure"]["mismatches"] == [{"table": "public.notes", "kind": "rows", "got": 2000, "expected": 2001}]
    code, listed, _ = admin(runtime, "backup", "list", tenant.id)
    by_id = {b["id"]: b for b in listed}
    assert by_id[tampered["id"]]["verify_failure"] == report["failure"]
    assert by_id[damaged["id"]]["verify_failure"]["message"].endswith("(altered)")  # the catalog's template
    assert "public.notes: 2000 rows, expected 2001" in by_id[tampered["id"]]["verify_detail"]  # the English log line
