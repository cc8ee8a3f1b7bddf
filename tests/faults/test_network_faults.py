"""RELIABILITY R5: the webhook path through a slow, resetting and silent network to PostgreSQL.

The real `comandia-server` runs as its own process with its database URL pointing at a
`FaultyProxy` in front of the suite's embedded cluster. Sender threads post signed Meta webhooks
(one unique wamid each) and retry anything but 200, as Meta does, while the test switches on
+200 ms latency, then a flaky link that resets 10 % of connections (new ones, and every second
of the open ones), then a 5 s blackhole. Pass: webhook p99 <= 2 s
during each fault, nothing hangs past its timeout, every acknowledged wamid stored exactly once,
and answers are 200 at normal latency again <= 2 s after each fault ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from comandia.server.config import ServerConfig
from comandia.server.db.bootstrap import ensure_control_database
from comandia.server.db.engines import ConnectionBudget, ConnectOptions, answer_timeout, create_budgeted_engine
from comandia.server.providers.signatures import meta_signature
from comandia.server.services.messaging.numbers import NewNumber
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import open_runtime
from tests.faults.proxy import FaultyProxy, Upstream
from tests.plugins.leftovers import forget_process, owned_prefix, record_process
from tests.plugins.postgres import EmbeddedCluster, drop_prefixed
from tests.plugins.tenants import make_config
from tests.waiting import answers

APP_SECRET = "r5-app-secret"  # noqa: S105 - signs this test's load only
PNID_BASE = 880000000000000
SHOPS = 3
SENDERS = 8
SEND_EVERY = 0.05  # each sender's pace: ~20 acknowledged messages a second
RETRY_PAUSE = 0.05
GIVE_UP_SECONDS = 30.0
P99_BOUND = 2.0
RECOVERY_BOUND = 2.0
L2_SENDERS = 24  # unpaced: as much load as the test process can make beside the server
L2_RECOVERY_BOUND = 5.0
LOOPBACK_NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, sends fail at once


@dataclass(frozen=True)
class Attempt:
    """One HTTP request: when it started and ended (monotonic seconds) and its status (0: no answer)."""

    started: float
    ended: float
    status: int

    @property
    def latency(self) -> float:
        return self.ended - self.started


@dataclass(frozen=True)
class Phase:
    name: str
    started: float
    ended: float


@dataclass
class Load:
    """What the senders did: every attempt, the acknowledged wamids, and messages given up on."""

    attempts: list[Attempt] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def upstream_of(url: str) -> Upstream:
    """The socket the embedded cluster listens on: a Unix socket in the URL's `host` directory."""
    parsed = make_url(url)
    socket_dir = parsed.query.get("host")
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):
        return Path(socket_dir) / f".s.PGSQL.{parsed.port or 5432}"
    return (parsed.host or "127.0.0.1", parsed.port or 5432)


@pytest.fixture
def proxy(embedded_cluster: EmbeddedCluster) -> Iterator[tuple[FaultyProxy, str]]:
    """A FaultyProxy in front of the embedded cluster, and a superuser URL through it."""
    faulty = FaultyProxy(upstream_of(embedded_cluster.url))
    port = faulty.start()
    try:
        yield faulty, f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        faulty.stop()


def test_a_silent_connection_ends_at_its_answer_timeout_and_the_pool_reconnects(proxy: tuple[FaultyProxy, str]) -> None:
    faulty, url = proxy
    budget = ConnectionBudget(limit=4, wait_seconds=1.0)
    engine = create_budgeted_engine(make_url(url), budget, pool_size=2, options=ConnectOptions())
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))  # now pooled: the next checkout reuses it
        faulty.set_blackhole(True)
        # Without the answer timeout the statement would wait for the blackhole to end (3 s).
        healer = threading.Timer(3.0, faulty.set_blackhole, (False,))
        healer.start()
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError), answer_timeout(0.5), engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        waited = time.monotonic() - started
        healer.join()
        assert waited < 1.5, f"a statement on a silent connection waited {waited:.2f} s"
        with answer_timeout(0.5), engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar() == 1
        assert budget.in_use == 1, "the silent connection still holds its budget slot"
    finally:
        engine.dispose()


def test_webhooks_through_latency_resets_and_a_blackhole_lose_nothing_and_answer_in_time(
    proxy: tuple[FaultyProxy, str], embedded_cluster: EmbeddedCluster, tmp_path: Path
) -> None:
    faulty = proxy[0]
    with faults_run(proxy, embedded_cluster, tmp_path) as run:
        figures = summarise(run.load, run.phases)
        figures["proxy"] = proxy_figures(faulty)
        print("".join(f"\nR5 {name}: {json.dumps(row)}" for name, row in figures.items()))  # noqa: T201 - with -s
        check_figures(figures, run.load, run.probes, run.phases, faulty, run.config)
        check_nothing_lost(run.load, embedded_cluster.url, run.databases)


def test_l2_unpaced_webhook_load_through_the_same_faults_loses_nothing_and_recovers(
    proxy: tuple[FaultyProxy, str], embedded_cluster: EmbeddedCluster, tmp_path: Path
) -> None:
    """RELIABILITY L2: R5's faults under as much load as L2_SENDERS unpaced senders make.

    Pass: p99 <= 2 s during the latency, the resets and the blackhole, 0 acknowledged lost, every
    message acknowledged in the end, and answers back to the baseline's latency within 5 s of each
    fault's end. The rate is printed per phase beside the baseline's; Python senders on the shared 2-core box reach far
    less than L1's 1,000 msg/s (benchmarks/webhook_ingest.py measures that with wrk)."""
    faulty = proxy[0]
    with faults_run(proxy, embedded_cluster, tmp_path, senders=L2_SENDERS, pace=0.0) as run:
        figures = summarise(run.load, run.phases)
        print("".join(f"\nL2 {name}: {json.dumps(row)}" for name, row in figures.items()))  # noqa: T201 - with -s
        report = json.dumps(figures)
        # The blackhole's p99 was 1.5-2.95 s before `SilentServers` (more senders than request
        # threads queued in Waitress behind posts waiting the 1.5 s deadline): now ~0.3 s.
        for fault in ("latency", "reset", "blackhole"):
            assert figures[fault]["p99"] <= P99_BOUND, f"webhook p99 over {P99_BOUND} s during {fault}: {report}"
        for fault in ("latency", "reset", "blackhole"):
            assert figures[f"after {fault}"]["recovered_after"] <= L2_RECOVERY_BOUND, f"slow recovery: {report}"
        assert faulty.stats.reset >= 3 and figures["blackhole"]["not_200"] >= 1, report
        assert not run.load.given_up, f"{len(run.load.given_up)} messages never acknowledged: {report}"
        check_nothing_lost(run.load, embedded_cluster.url, run.databases)


@dataclass
class Run:
    config: ServerConfig
    databases: list[str]
    load: Load
    probes: list[Attempt]
    phases: list[Phase]


@contextlib.contextmanager
def faults_run(
    proxy: tuple[FaultyProxy, str],
    cluster: EmbeddedCluster,
    tmp_path: Path,
    senders: int = SENDERS,
    pace: float = SEND_EVERY,
) -> Iterator[Run]:
    """Provision an appliance behind the proxy, run `comandia-server` through the faults, stop it;
    yields what happened, then drops the appliance's databases."""
    faulty, url = proxy
    prefix = owned_prefix()
    config = make_config(tmp_path / "home", url, prefix)
    try:
        databases = provision(config)
        with server_process(config, tmp_path / "server.log") as base:
            load, probes, phases = run_faults(faulty, base, senders, pace)
            wait_journal_delivered(cluster.url, config.control_database)
        yield Run(config, databases, load, probes, phases)
    finally:
        drop_prefixed(cluster.url, prefix)


def provision(config: ServerConfig) -> list[str]:
    """A migrated appliance with SHOPS tenants, each owning a Meta number; returns their databases."""
    runtime = open_runtime(config)
    try:
        ensure_control_database(runtime.databases)
        runtime.servers.register_primary()  # through the proxy: the tenants' URLs are too
        numbers = runtime.services.numbers
        databases = []
        for n in range(SHOPS):
            tenant = runtime.tenants.create(NewTenant(name=f"R5 {n} {secrets.token_hex(2)}"), actor="tests")
            numbers.add(
                tenant.id,
                NewNumber(
                    provider="meta",
                    e164=f"+1555880{n:04d}",
                    phone_number_id=str(PNID_BASE + n),
                    access_token="r5",
                    app_secret=APP_SECRET,
                ),
                actor="tests",
            )
            databases.append(tenant.database)
        return databases
    finally:
        runtime.close()


@contextlib.contextmanager
def server_process(config: ServerConfig, log: Path) -> Iterator[str]:
    """comandia-server on an ephemeral port with `config`'s database; yields its base URL.

    Its output goes to a file: a pipe nobody reads would fill and block the server.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMANDIA_")}
    env.update(
        COMANDIA_DATABASE_URL=config.database_url or "",
        COMANDIA_DB_PREFIX=config.db_prefix,
        COMANDIA_SECRET_KEY=config.secret_key or "",
        COMANDIA_ADMIN_PASSWORD="a strong password",
        COMANDIA_LOG_LEVEL="WARNING",
        COMANDIA_WHATSAPP_META_BASE=LOOPBACK_NOWHERE,
        COMANDIA_WHATSAPP_360DIALOG_BASE=LOOPBACK_NOWHERE,
        COMANDIA_WHATSAPP_TWILIO_BASE=LOOPBACK_NOWHERE,
    )
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "comandia.server.cli", "--port", "0", "--home", str(config.home)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    marker = record_process(process.pid)
    try:
        yield wait_listening(process, log)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        forget_process(marker)


def wait_listening(process: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> str:
    """The base URL the server prints once it listens, as soon as its request process answers (the
    supervisor listens first; the faults' timings must not include the request process's start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(r"listening on (http://\S+)", log.read_text())
        if found and answers(f"{found.group(1)}/healthz", timeout=1):
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError("the server did not start:\n" + log.read_text()[-3000:])


def run_faults(
    faulty: FaultyProxy, base: str, senders: int = SENDERS, pace: float = SEND_EVERY
) -> tuple[Load, list[Attempt], list[Phase]]:
    """Post webhooks from `senders` threads, each at most one per `pace` seconds (0: as fast as
    it can), and probe /readyz while the faults come and go."""
    load, probes = Load(), Load()
    workers = [
        threading.Thread(target=send_messages, args=(base, n, load, pace), name=f"r5-sender-{n}")
        for n in range(senders)
    ]
    workers.append(threading.Thread(target=probe_ready, args=(base, probes), name="r5-probe"))
    for worker in workers:
        worker.start()
    try:
        calm: Callable[[], None] = lambda: None  # noqa: E731 - a phase with nothing to switch
        phases = [
            timed("baseline", 2.0, calm, calm),
            timed("latency", 4.0, lambda: faulty.set_delay(0.2), lambda: faulty.set_delay(0.0)),
            timed("after latency", 2.0, calm, calm),
            timed(
                "reset",
                4.0,
                lambda: faulty.set_reset_fraction(0.1),
                lambda: faulty.set_reset_fraction(0.0),
                every_second=lambda: faulty.reset_open(0.1),
            ),
            timed("after reset", 2.0, calm, calm),
            timed("blackhole", 5.0, lambda: faulty.set_blackhole(True), lambda: faulty.set_blackhole(False)),
            timed("after blackhole", 3.0, calm, calm),
        ]
    finally:
        load.stop.set()
        probes.stop.set()
        for worker in workers:
            worker.join(timeout=GIVE_UP_SECONDS + 15)
    assert not any(w.is_alive() for w in workers), "a sender is still waiting for an answer"
    return load, probes.attempts, phases


def timed(
    name: str,
    seconds: float,
    begin: Callable[[], None],
    end: Callable[[], None],
    every_second: Callable[[], None] | None = None,
) -> Phase:
    """Switch a fault on, keep it `seconds` (calling `every_second` each second), switch it off."""
    begin()
    started = time.monotonic()
    while (left := started + seconds - time.monotonic()) > 0:
        time.sleep(min(1.0, left))
        if every_second is not None and left > 1.0:
            every_second()
    end()
    return Phase(name, started, time.monotonic())


def send_messages(base: str, sender: int, load: Load, pace: float = SEND_EVERY) -> None:
    """Post unique messages until told to stop, each one retried until it is acknowledged."""
    http = requests.Session()
    n = 0
    while not load.stop.is_set():
        n += 1
        paced = time.monotonic() + pace
        wamid = f"wamid.R5{sender:02d}{n:06d}{secrets.token_hex(4)}"
        body = meta_body(PNID_BASE + (sender + n) % SHOPS, f"52155{sender:02d}{n % 1000:06d}", wamid)
        if post_until_acknowledged(http, base, body, load):
            with load.lock:
                load.acknowledged.append(wamid)
        else:
            with load.lock:
                load.given_up.append(wamid)
        time.sleep(max(0.0, paced - time.monotonic()))
    http.close()


def post_until_acknowledged(http: requests.Session, base: str, body: bytes, load: Load) -> bool:
    """POST as Meta does: anything but 200 is retried (here at once, to keep measuring)."""
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, APP_SECRET)}
    give_up = time.monotonic() + GIVE_UP_SECONDS
    while time.monotonic() < give_up:
        started = time.monotonic()
        try:
            status = http.post(f"{base}/webhooks/meta", data=body, headers=headers, timeout=30).status_code
        except requests.RequestException:
            status = 0
        with load.lock:
            load.attempts.append(Attempt(started, time.monotonic(), status))
        if status == 200:
            return True
        time.sleep(RETRY_PAUSE)
    return False


def meta_body(phone_number_id: int, sender: str, wamid: str) -> bytes:
    """A Cloud API webhook with one text message, as Meta sends it."""
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "15550001111",
                                    "phone_number_id": str(phone_number_id),
                                },
                                "contacts": [{"profile": {"name": "R5"}, "wa_id": sender}],
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": wamid,
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": "hola"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        separators=(",", ":"),
    ).encode()


def probe_ready(base: str, probes: Load) -> None:
    """GET /readyz every 0.2 s: a request on the control database that is not a webhook."""
    http = requests.Session()
    while not probes.stop.is_set():
        started = time.monotonic()
        try:
            status = http.get(f"{base}/readyz", timeout=30).status_code
        except requests.RequestException:
            status = 0
        probes.attempts.append(Attempt(started, time.monotonic(), status))
        time.sleep(0.2)
    http.close()


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank `p`th percentile (0 for no values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


def overlapping(attempts: list[Attempt], phase: Phase) -> list[Attempt]:
    """Attempts in flight at any time during `phase`: a fault counts every request it touched."""
    return [a for a in attempts if a.started < phase.ended and a.ended > phase.started]


def inside(attempts: list[Attempt], phase: Phase) -> list[Attempt]:
    """Attempts that started and ended within `phase`: a calm phase counts only what the faults spared."""
    return [a for a in attempts if a.started >= phase.started and a.ended <= phase.ended]


def summarise(load: Load, phases: list[Phase]) -> dict[str, dict[str, float]]:
    """Per phase: attempts, non-200 answers, p50/p99/max latency; per fault: its recovery time."""
    baseline = [a.latency for a in inside(load.attempts, phases[0]) if a.status == 200]
    normal = max(0.25, 3 * percentile(baseline, 99))
    figures: dict[str, dict[str, float]] = {}
    for n, phase in enumerate(phases):
        calm = phase.name == "baseline" or phase.name.startswith("after ")
        attempts = inside(load.attempts, phase) if calm else overlapping(load.attempts, phase)
        latencies = [a.latency for a in attempts]
        figures[phase.name] = {
            "attempts": len(attempts),
            "not_200": sum(a.status != 200 for a in attempts),
            "acknowledged_per_s": round(sum(a.status == 200 for a in attempts) / (phase.ended - phase.started), 1),
            "p50": round(percentile(latencies, 50), 3),
            "p99": round(percentile(latencies, 99), 3),
            "max": round(max(latencies, default=0.0), 3),
        }
        if phase.name.startswith("after "):
            fault = phases[n - 1]
            bad = [a for a in attempts if a.status != 200 or a.latency > normal]
            figures[phase.name]["recovered_after"] = round(
                max((a.ended for a in bad), default=fault.ended) - fault.ended, 3
            )
            figures[phase.name]["normal_latency_bound"] = round(normal, 3)
    figures["total"] = {
        "attempts": len(load.attempts),
        "acknowledged": len(load.acknowledged),
        "retries": len(load.attempts) - len(load.acknowledged),
        "given_up": len(load.given_up),
    }
    return figures


def proxy_figures(faulty: FaultyProxy) -> dict[str, float]:
    return {"connections": faulty.stats.accepted, "reset": faulty.stats.reset}


def check_figures(
    figures: dict[str, dict[str, float]],
    load: Load,
    probes: list[Attempt],
    phases: list[Phase],
    faulty: FaultyProxy,
    config: ServerConfig,
) -> None:
    """The pass figures of R5, and that each fault really happened."""
    report = json.dumps(figures)
    for fault in ("latency", "reset", "blackhole"):
        assert figures[fault]["attempts"] >= 10, f"too little load during {fault}: {report}"
        assert figures[fault]["p99"] <= P99_BOUND, f"webhook p99 over {P99_BOUND} s during {fault}: {report}"
        recovered = figures[f"after {fault}"]
        assert recovered["recovered_after"] <= RECOVERY_BOUND, f"slow recovery after {fault}: {report}"
        assert recovered["attempts"] >= 10, f"too little load after {fault}: {report}"
    # Each fault bit: answers slowed by the delay, connections reset, the blackhole answered 503.
    assert figures["latency"]["p50"] >= 0.2, report
    assert faulty.stats.reset >= 3, report
    assert figures["blackhole"]["not_200"] >= 1, report
    assert not load.given_up, f"{len(load.given_up)} messages never acknowledged: {report}"
    # Nothing hangs past its timeout: no webhook nor readiness probe waited as long as opening a
    # connection may take (the shortest of the database timeouts).
    slowest = max(a.latency for a in load.attempts + probes)
    assert slowest < config.connect_timeout_seconds, f"a request took {slowest:.2f} s: {report}"
    assert all(p.status in (200, 503) for p in probes), [p for p in probes if p.status not in (200, 503)]
    last = phases[-1]
    recovered = Phase("recovered", last.started + RECOVERY_BOUND, last.ended)
    assert all(p.status == 200 for p in inside(probes, recovered)), "/readyz still failing after the blackhole"


def wait_journal_delivered(superuser_url: str, control_database: str, timeout: float = 60.0) -> None:
    """Acknowledged webhooks are stored in the ingest journal first; the server's drain moves them
    to their tenants' inboxes (a tenant whose database failed is retried a few seconds later).
    Wait for that, read past the proxy, before the inboxes are counted."""
    conninfo = make_url(superuser_url).set(drivername="postgresql", database=control_database)
    deadline = time.monotonic() + timeout
    with psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True) as connection:
        while (row := connection.execute("SELECT count(*) FROM ingest_journal").fetchone()) and row[0]:
            assert time.monotonic() < deadline, f"{row[0]} journaled webhooks not delivered after {timeout:.0f} s"
            time.sleep(0.2)


def check_nothing_lost(load: Load, superuser_url: str, databases: list[str]) -> None:
    """Every acknowledged wamid is in its tenant's inbox exactly once (read past the proxy)."""
    stored: dict[str, int] = {}
    for database in databases:
        conninfo = make_url(superuser_url).set(drivername="postgresql", database=database)
        with psycopg.connect(conninfo.render_as_string(hide_password=False)) as connection:
            rows = connection.execute("SELECT provider_message_id, count(*) FROM inbox GROUP BY 1").fetchall()
        for wamid, count in rows:
            stored[wamid] = stored.get(wamid, 0) + count
    missing = [w for w in load.acknowledged if w not in stored]
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {missing[:3]}"
    doubled = {w: c for w, c in stored.items() if c != 1}
    assert not doubled, f"stored more than once: {list(doubled.items())[:3]}"
