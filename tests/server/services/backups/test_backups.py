"""Backups are proven by restoring them: round trips, damage detection, encryption, moves (R7, R8, R10)."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from comandia.server.db.control_models import IngestJournalRow, Tenant
from comandia.server.db.engines import libpq_conninfo
from comandia.server.db.scheduled_runs import claim_slot
from comandia.server.jobs.backups import BackupJob, BackupSchedule, next_run
from comandia.server.services.backups.backups import BackupService, RunReport
from comandia.server.services.backups.crypto import MAGIC, BackupDamaged, load_key, write_new_key
from comandia.server.services.backups.info import BackupInfo
from comandia.server.services.backups.restore import open_backup
from comandia.server.services.backups.retention import select_prunable
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import Conflict, ValidationFailed
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.messaging import Messaging, load_fixture
from tests.plugins.postgres import EmbeddedCluster

Rows = list[tuple[object, ...]]


@pytest.fixture
def backups(runtime: Runtime) -> BackupService:
    return runtime.services.backups


def seed(runtime: Runtime, tenant_id: str, rows: int = 500) -> None:
    """A table created by the tenant's own role, with varied types and a NULL or two."""
    with runtime.databases.tenant_session(tenant_id) as session:
        session.execute(
            sa.text(
                "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(12,2), at timestamptz,"
                " ratio double precision, tags text[], extra jsonb)"
            )
        )
        session.execute(
            sa.text(
                "INSERT INTO items SELECT g, 'artículo ' || g, g * 1.25,"
                " timestamptz '2026-01-01' + g * interval '1 h', g / 7.0, ARRAY['a', g::text],"
                " CASE WHEN g % 10 = 0 THEN NULL ELSE jsonb_build_object('n', g) END"
                " FROM generate_series(1, :n) g"
            ),
            {"n": rows},
        )
        session.commit()


def contents(runtime: Runtime, tenant_id: str) -> tuple[Rows, Rows]:
    with runtime.databases.tenant_session(tenant_id) as session:
        items = [tuple(r) for r in session.execute(sa.text("SELECT * FROM items ORDER BY id"))]
        info = [tuple(r) for r in session.execute(sa.text("SELECT tenant_id, created_at FROM tenant_info"))]
    return items, info


def databases_like(runtime: Runtime, pattern: str) -> set[str]:
    cluster = runtime.databases.primary_cluster()
    with cluster.connect() as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,)).fetchall()
    return {str(r[0]) for r in rows}


def test_backup_drop_restore_gives_identical_rows(
    runtime: Runtime, backups: BackupService, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant(server="main")  # the session may have other servers registered
    seed(runtime, tenant.id)
    before = contents(runtime, tenant.id)
    report = backups.run([tenant.id])
    assert report.ok, [o.error for o in report.outcomes]
    backup = report.outcomes[0].backup
    assert backup is not None and backup.status == "ok" and backup.size_bytes and backup.sha256
    assert Path(backup.path, "manifest.json").is_file()
    runtime.databases.tenant_engines.forget(tenant.id)
    runtime.databases.primary_cluster().drop_database(tenant.database)

    restored = runtime.services.restores.restore(tenant.id, actor="tests")

    assert restored.state == "active"
    assert contents(runtime, tenant.id) == before
    with runtime.databases.tenant_session(tenant.id) as session:
        owners = set(session.scalars(sa.text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")))
        session.execute(sa.text("INSERT INTO items (id) VALUES (-1)"))  # the tenant can still write
        session.commit()
    assert owners == {tenant.database}
    with runtime.databases.primary_cluster().connect() as connection:
        row = connection.execute("SELECT datacl::text FROM pg_database WHERE datname = %s", (tenant.database,))
        acl = str((row.fetchone() or [""])[0])
    assert "=Tc/" not in acl and not acl.startswith("{=")  # PUBLIC still has no CONNECT


def test_snapshot_counts_match_the_dump_while_writers_write(
    runtime: Runtime, backups: BackupService, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant(server="main")  # the session may have other servers registered
    seed(runtime, tenant.id, rows=10_000)
    stop = threading.Event()

    def writer(start: int) -> None:
        n = start
        while not stop.is_set():
            with runtime.databases.tenant_session(tenant.id) as session:
                session.execute(sa.text("INSERT INTO items (id, name) VALUES (:i, 'late')"), {"i": n})
                session.commit()
            n += 1

    threads = [threading.Thread(target=writer, args=(1_000_000 * (i + 1),)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        report = backups.run([tenant.id], verify=True)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    outcome = report.outcomes[0]
    assert outcome.ok, (outcome.error, outcome.verify)
    assert outcome.verify is not None and outcome.verify.stage == "compare" and outcome.verify.rows >= 10_001
    assert backups.get(outcome.backup.id).verify_result == "ok"  # type: ignore[union-attr]


def _flip_byte(folder: Path) -> None:
    dump = next(p for p in folder.iterdir() if p.name != "manifest.json")
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))


def _truncate(folder: Path) -> None:
    dump = next(p for p in folder.iterdir() if p.name != "manifest.json")
    with dump.open("r+b") as handle:
        handle.truncate(max(dump.stat().st_size - 1024, 0))


def _drop_manifest(folder: Path) -> None:
    (folder / "manifest.json").unlink()


@pytest.mark.parametrize("damage", [_flip_byte, _truncate, _drop_manifest], ids=["flip", "truncate", "manifest"])
def test_damaged_backup_is_caught_before_anything_is_touched(
    runtime: Runtime,
    backups: BackupService,
    make_tenant: Callable[..., TenantInfo],
    damage: Callable[[Path], None],
) -> None:
    tenant = make_tenant(server="main")  # the session may have other servers registered
    seed(runtime, tenant.id, rows=3_000)  # a dump well over 1 KiB
    backup = backups.run([tenant.id]).outcomes[0].backup
    assert backup is not None
    before = contents(runtime, tenant.id)
    damage(Path(backup.path))

    report = backups.verify(backup.id)
    assert (report.ok, report.stage) == (False, "integrity")
    assert backups.get(backup.id).verify_result == "failed"
    assert not databases_like(runtime, f"{runtime.config.db_prefix}\\_verify\\_{backup.id}")
    with pytest.raises(BackupDamaged):
        runtime.services.restores.restore(tenant.id, backup.id, actor="tests")
    assert runtime.tenants.get(tenant.id).state == "active"
    assert contents(runtime, tenant.id) == before
    assert not databases_like(runtime, f"{runtime.config.db_prefix}\\_restore\\_%")


def test_encrypted_backup_round_trips_only_with_its_key(
    runtime: Runtime, backups: BackupService, make_tenant: Callable[..., TenantInfo], tmp_path: Path
) -> None:
    write_new_key(tmp_path / "backup.key")
    write_new_key(tmp_path / "other.key")
    key, other = load_key(tmp_path / "backup.key"), load_key(tmp_path / "other.key")
    assert oct(os.stat(tmp_path / "backup.key").st_mode & 0o777) == "0o600"
    tenant = make_tenant(server="main")  # the session may have other servers registered
    seed(runtime, tenant.id, rows=5_000)
    before = contents(runtime, tenant.id)
    backup = backups.run([tenant.id], key=key).outcomes[0].backup
    assert backup is not None and backup.encrypted
    stored = Path(backup.path, f"{tenant.id}.dump.enc").read_bytes()
    assert stored.startswith(MAGIC) and b"PGDMP" not in stored and "artículo".encode() not in stored

    with pytest.raises(ValidationFailed):
        backups.verify(backup.id)
    with pytest.raises(ValidationFailed):
        backups.verify(backup.id, other)
    assert backups.verify(backup.id, key).ok
    runtime.databases.tenant_engines.forget(tenant.id)
    runtime.databases.primary_cluster().drop_database(tenant.database)
    runtime.services.restores.restore(tenant.id, key=key, actor="tests")
    assert contents(runtime, tenant.id) == before


def test_restore_as_provisions_a_new_tenant_beside_the_original(
    runtime: Runtime, backups: BackupService, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant(server="main")  # the session may have other servers registered
    seed(runtime, tenant.id)
    items, _ = contents(runtime, tenant.id)
    backups.run([tenant.id])

    copy = runtime.services.restores.restore_as(tenant.id, f"Copia {tenant.name}", actor="tests")

    assert copy.id != tenant.id and copy.state == "active" and copy.currency == tenant.currency
    copied_items, copied_info = contents(runtime, copy.id)
    assert copied_items == items
    assert copied_info[0][0] == copy.id
    assert contents(runtime, tenant.id)[0] == items


def test_control_database_backup_verifies(runtime: Runtime, backups: BackupService) -> None:
    report = backups.run([], control=True, verify=True)
    assert [o.label for o in report.outcomes] == ["control"]
    assert report.ok, report.outcomes[0]
    assert report.outcomes[0].backup is not None and report.outcomes[0].backup.tenant_id is None
    assert backups.latest("control").id == report.outcomes[0].backup.id


@pytest.fixture
def second_server(extra_server: str) -> str:
    return extra_server


def test_move_between_two_instances_keeps_every_row(
    runtime: Runtime,
    backups: BackupService,
    make_tenant: Callable[..., TenantInfo],
    second_server: str,
    second_cluster: EmbeddedCluster,
) -> None:
    moves = runtime.services.moves
    tenant = make_tenant(server="main")
    seed(runtime, tenant.id, rows=2_000)
    before = contents(runtime, tenant.id)

    report = moves.move(tenant.id, second_server, actor="tests")

    assert (report.source, report.target, report.rows) == (
        "main",
        second_server,
        2_002,
    )  # + tenant_info, alembic_version
    moved = runtime.tenants.get(tenant.id)
    assert (moved.server, moved.state) == (second_server, "active")
    assert contents(runtime, tenant.id) == before
    conninfo = second_cluster.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        assert connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (tenant.database,)).fetchone()
    assert databases_like(runtime, tenant.database) == {tenant.database}  # the source is kept
    with pytest.raises(Conflict):  # moving back onto the stale copy is refused ...
        moves.move(tenant.id, "main", actor="tests")
    assert runtime.tenants.get(tenant.id).state == "active" and contents(runtime, tenant.id) == before
    runtime.databases.primary_cluster().drop_database(tenant.database)  # ... until the operator drops it
    runtime.databases.primary_cluster().drop_role(tenant.database)

    back = moves.move(tenant.id, "main", actor="tests", drop_source=True)
    assert back.source_dropped and runtime.tenants.get(tenant.id).server == "main"
    with psycopg.connect(conninfo) as connection:
        assert not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (tenant.database,)).fetchone()
    assert contents(runtime, tenant.id) == before


def test_prune_keeps_the_newest_per_day_and_per_week(
    runtime: Runtime, backups: BackupService, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant(server="main")  # the session may have other servers registered
    made = [backups.run([tenant.id]).outcomes[0].backup for _ in range(3)]
    ids = [b.id for b in made if b is not None]
    # Spread them over time: two on one day three weeks ago, one today.
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=21)
    with runtime.databases.control_session() as session:
        from comandia.server.db.control_models import Backup

        session.execute(sa.update(Backup).where(Backup.id == ids[0]).values(started_at=old))
        session.execute(sa.update(Backup).where(Backup.id == ids[1]).values(started_at=old + dt.timedelta(hours=1)))
        session.commit()

    pruned = backups.prune(keep_daily=1, keep_weekly=0)

    assert [b.id for b in pruned if b.tenant_id == tenant.id] == [ids[0], ids[1]]
    assert not Path(made[0].path).exists() and Path(made[2].path).exists()  # type: ignore[union-attr]
    assert backups.get(ids[0]).status == "pruned" and backups.get(ids[2]).status == "ok"
    with pytest.raises(ValidationFailed):
        backups.prune(keep_daily=0, keep_weekly=4)


def _backup(id_: int, when: dt.datetime, verify: str | None = "ok") -> BackupInfo:
    return BackupInfo(
        id=id_,
        tenant_id="t0000000000aa",
        path=f"/x/{id_}",
        started_at=when,
        finished_at=when,
        size_bytes=1,
        sha256="0" * 64,
        encrypted=False,
        status="ok",
        verified_at=when,
        verify_result=verify,
        verify_detail=None,
        error=None,
    )


def test_retention_policy_counts_days_and_weeks_with_backups() -> None:
    monday = dt.datetime(2026, 11, 2, 3, tzinfo=dt.UTC)
    history = [_backup(i, monday + dt.timedelta(days=i)) for i in range(28)]  # four weeks, daily
    history.append(_backup(100, monday + dt.timedelta(days=27, hours=1), verify="failed"))
    pruned = {b.id for b in select_prunable(history, keep_daily=7, keep_weekly=4)}
    kept = {b.id for b in history} - pruned
    assert kept == {21, 22, 23, 24, 25, 26, 27, 6, 13, 20}  # last 7 days + newest of each earlier week
    assert 100 in pruned  # a backup that failed its restore check never counts as kept


def test_next_run_is_the_next_local_occurrence_of_the_configured_time() -> None:
    tz = dt.timezone(dt.timedelta(hours=-6))
    assert next_run(dt.datetime(2026, 11, 28, 2, 59, tzinfo=tz), dt.time(3, 0)) == dt.datetime(
        2026, 11, 28, 3, 0, tzinfo=tz
    )
    assert next_run(dt.datetime(2026, 11, 28, 3, 0, tzinfo=tz), dt.time(3, 0)) == dt.datetime(
        2026, 11, 29, 3, 0, tzinfo=tz
    )


def test_restore_recreates_the_role_when_the_server_lost_it(
    runtime: Runtime, backups: BackupService, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant(server="main")
    seed(runtime, tenant.id, rows=100)
    before = contents(runtime, tenant.id)
    backups.run([tenant.id])
    runtime.databases.tenant_engines.forget(tenant.id)
    runtime.databases.primary_cluster().drop_database(tenant.database)
    runtime.databases.primary_cluster().drop_role(tenant.database)

    runtime.services.restores.restore(tenant.id, actor="tests")

    assert contents(runtime, tenant.id) == before  # and the tenant logs in with its sealed password


class RecordingBackups(BackupService):
    """A stand-in that records what the schedule asks for (subclassed, so it cannot drift)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def run(
        self,
        tenant_ids: object,
        control: bool = False,
        key: bytes | None = None,
        verify: bool = False,
        on_progress: object = None,
    ) -> RunReport:
        self.calls.append(f"run all={tenant_ids is None} control={control} verify={verify}")
        return RunReport("r")

    def prune(self, keep_daily: int, keep_weekly: int) -> list[BackupInfo]:
        self.calls.append(f"prune {keep_daily} {keep_weekly}")
        return []


def test_scheduled_job_backs_up_everything_with_a_restore_check_then_prunes() -> None:
    fake = RecordingBackups()
    job = BackupJob(fake, BackupSchedule(at="03:00", keep_daily=7, keep_weekly=4))
    job.run_once()
    assert fake.calls == ["run all=True control=True verify=True", "prune 7 4"]
    job.start()
    job.stop()  # wakes the sleeping thread at once
    assert not job.is_alive()


def test_two_server_processes_waking_for_the_same_slot_back_up_once(runtime: Runtime) -> None:
    # Just before 03:00 on a day no other test uses, as each process's clock reads it.
    now = dt.datetime(2031, 5, 4, 2, 59, 59, 900_000).astimezone()
    fakes = [RecordingBackups(), RecordingBackups()]
    jobs = [
        BackupJob(
            fake,
            BackupSchedule(at="03:00"),
            clock=lambda: now,
            claim=lambda slot: claim_slot(runtime.databases, "daily-backup", slot),
        )
        for fake in fakes
    ]
    for job in jobs:
        job.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(job.runs + job.skipped for job in jobs):
        time.sleep(0.02)
    for job in jobs:
        job.stop()
    assert sum(job.runs for job in jobs) == 1 and all(job.runs + job.skipped for job in jobs)
    assert sum(len(fake.calls) for fake in fakes) == 2  # one run: backup everything, then prune


def test_r7_twenty_writers_during_a_backup_then_a_restore_into_a_new_database(
    runtime: Runtime, backups: BackupService, make_tenant: Callable[..., TenantInfo]
) -> None:
    """RELIABILITY R7 as written: 10,000 rows, 20 writers on their own connections while the backup
    runs; its restore check (a new database) equals the snapshot's counts and ordered-row digests;
    then the tenant is restored beside itself, timed (< 30 s wanted; printed)."""
    tenant = make_tenant(server="main")
    seed(runtime, tenant.id, rows=10_000)
    with runtime.databases.control_session() as session:
        database = session.scalars(sa.select(Tenant.database_name).where(Tenant.id == tenant.id)).one()
    conninfo = libpq_conninfo(runtime.databases.primary_cluster().admin_url.set(database=database))
    stop, failures, written = threading.Event(), [], [0] * 20

    def writer(index: int) -> None:
        try:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                n = 1_000_000 * (index + 1)
                while not stop.is_set():
                    connection.execute("INSERT INTO items (id, name) VALUES (%s, 'late')", (n,))
                    n += 1
                    written[index] += 1
        except Exception as error:  # noqa: BLE001 - reported by the test, not lost in a thread
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        report = backups.run([tenant.id], verify=True)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert all(written), written  # every one of the 20 writers wrote during the backup
    outcome = report.outcomes[0]
    assert outcome.ok, (outcome.error, outcome.verify)
    assert outcome.verify is not None and outcome.verify.stage == "compare" and outcome.verify.rows >= 10_001
    started = time.perf_counter()
    copy = runtime.services.restores.restore_as(tenant.id, f"R7 {tenant.name}", actor="tests")
    seconds = time.perf_counter() - started
    copied, _ = contents(runtime, copy.id)
    print(f"R7: 20 writers wrote {sum(written)} rows during the backup; restore into a new database {seconds:.1f} s")
    assert 10_000 < len(copied) < 10_000 + sum(written) + 1


def test_a_message_acknowledged_a_moment_before_a_backup_is_in_it(messaging: Messaging) -> None:
    """A webhook is acknowledged once in the ingest journal; the backup delivers the tenant's rows
    before it dumps, so they are in it (and stored once: the drain finds nothing left)."""
    m = messaging
    body, headers = load_fixture("meta", "messages__text")
    assert m.client.simulate_post("/webhooks/meta", body=body, headers=headers).status_code == 200
    assert (_journaled(m), _inbox(m)) == (1, 0), "acknowledged, not yet drained"
    [outcome] = m.services.backups.run([m.tenant.id]).outcomes
    assert outcome.ok and outcome.backup is not None, outcome.error
    assert open_backup(outcome.backup, None).tables["public.inbox"].rows == 1
    assert (_journaled(m), _inbox(m)) == (0, 1)


def _journaled(m: Messaging) -> int:
    with m.runtime.databases.control_session() as session:
        return int(session.scalar(sa.select(sa.func.count()).where(IngestJournalRow.tenant_id == m.tenant.id)) or 0)


def _inbox(m: Messaging) -> int:
    """The tenant's inbox rows, read without delivering the journal first (as `Messaging.rows` does)."""
    with m.runtime.databases.tenant_session(m.tenant.id) as session:
        return int(session.scalar(sa.text("SELECT count(*) FROM inbox")) or 0)
