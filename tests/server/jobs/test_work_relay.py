"""`--workers N`: the request processes run no background job and tell the jobs process, through
NOTIFY, what they made work for (journaled webhooks, queued replies, order alerts)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from comandia.server.jobs.changes import ChangeListener
from comandia.server.jobs.inbox_worker import InboxWorker
from comandia.server.jobs.journal_drain import JournalDrain
from comandia.server.jobs.outbox_worker import OutboxWorker
from comandia.server.jobs.summaries import SummaryRefresher
from comandia.server.jobs.work_relay import WorkRelay, parse_work, payloads
from comandia.server.services.messaging.signals import DirtyTenants
from comandia.server.wiring import ProcessRole, Runtime, open_runtime
from comandia.shared.domain.errors import Unavailable
from tests.waiting import eventually


@pytest.fixture
def web(runtime: Runtime) -> Iterator[Runtime]:
    """A request process's object graph (`--role web`) on the test's control database; no job started."""
    process = open_runtime(runtime.config, role=ProcessRole.WEB)
    try:
        yield process
    finally:
        process.close()


@pytest.fixture
def jobs(runtime: Runtime) -> Iterator[Runtime]:
    """The jobs process's object graph (`--role jobs`), with only its listener started."""
    process = open_runtime(runtime.config, role=ProcessRole.JOBS)
    listener = next(job for job in process.jobs if isinstance(job, ChangeListener))
    listener.start()
    try:
        assert eventually(lambda: listener.listening)
        yield process
    finally:
        listener.stop()
        process.close()


def relay_of(process: Runtime) -> WorkRelay:
    return next(job for job in process.jobs if isinstance(job, WorkRelay))


def test_a_request_process_runs_no_worker_and_the_jobs_process_runs_them_all(web: Runtime, jobs: Runtime) -> None:
    kinds = {type(job) for job in web.jobs}
    assert WorkRelay in kinds and not kinds & {InboxWorker, JournalDrain, OutboxWorker}
    kinds = {type(job) for job in jobs.jobs}
    assert {InboxWorker, JournalDrain, OutboxWorker} <= kinds and WorkRelay not in kinds


def test_work_made_in_a_request_process_wakes_the_jobs_process(web: Runtime, jobs: Runtime) -> None:
    assert web.services.journal is not None and jobs.services.journal is not None
    jobs.services.journal.pending.clear()
    jobs.services.outbox_signal.take()
    web.services.outbox_signal.mark({"t_reply1", "t_reply2"})
    web.services.alert_signal.mark({"t_alert"})
    web.services.journal.pending.set()  # a webhook was journaled

    assert relay_of(web).relay_once()

    assert eventually(lambda: jobs.services.journal is not None and jobs.services.journal.pending.is_set())
    outbox: set[str] = set()
    assert eventually(lambda: outbox.update(jobs.services.outbox_signal.take()) or outbox >= {"t_reply1", "t_reply2"})
    assert eventually(lambda: "t_alert" in jobs.services.alert_signal.take())
    # Told once: the request process's signals are empty again.
    assert not web.services.outbox_signal.take() and not web.services.journal.pending.is_set()


def test_a_request_process_asks_the_jobs_process_to_catch_the_summary_up_instead_of_doing_it(
    web: Runtime, jobs: Runtime
) -> None:
    asking = next(job for job in web.jobs if isinstance(job, SummaryRefresher))
    jobs.services.summaries.catch_up_asked()  # nothing asked before this start
    asking.start()
    asking.stop()
    assert eventually(jobs.services.summaries.catch_up_asked)
    assert not web.services.summaries.catch_up_asked()  # the request process itself catches nothing up


def test_work_that_could_not_be_told_is_told_on_the_next_round() -> None:
    outbox, journaled = DirtyTenants(), threading.Event()
    sent: list[list[str]] = []

    def notify(texts: list[str]) -> None:
        if not sent:
            sent.append([])
            raise Unavailable("the control database is not reachable right now; try again shortly")
        sent.append(texts)

    relay = WorkRelay({"outbox": outbox}, journaled, notify)
    outbox.mark({"t_1"})
    journaled.set()
    with pytest.raises(Unavailable):
        relay.relay_once()
    assert relay.relay_once()
    assert sorted(sent[1]) == ["journal:", "outbox:t_1"]


def test_many_tenants_are_told_in_notifications_postgresql_accepts() -> None:
    tenants = {f"t_{n:08d}" for n in range(3_000)}
    texts = list(payloads("inbox", tenants))
    assert len(texts) > 1 and all(len(text.encode()) < 8_000 for text in texts)
    told: set[str] = set()
    for text in texts:
        kind, names = parse_work(text)
        assert kind == "inbox"
        told |= names
    assert told == tenants
