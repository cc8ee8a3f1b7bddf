"""The task runner: results and errors reach the GUI thread; 401 brings the login; inline for tests."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from comandia.console.connection import Connection
from comandia.console.tasks import TaskRunner, _Relay
from comandia.shared.client import ApiClient, ServerUnreachable, UnauthorizedError


def test_results_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner(Connection("http://127.0.0.1:9"))
    seen: list[tuple[str, bool]] = []
    gui = threading.get_ident()

    def work(client: ApiClient) -> str:
        assert threading.get_ident() != gui  # the network part never runs on the GUI thread
        return client.transport.base_url

    runner.run(work, lambda result: seen.append((result, threading.get_ident() == gui)))
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [("http://127.0.0.1:9", True)]
    runner.shutdown()


def test_a_task_relay_belongs_to_the_gui_thread_and_dies_there(qtbot: QtBot) -> None:
    """A relay owned by Python alone dies where its last reference drops: in a pool thread, or in
    a garbage collection a pool thread happens to run, deleting a GUI-thread QObject from another
    thread (a crash seen once). Each relay is the runner's child until the GUI thread deletes it."""
    runner = TaskRunner(Connection("http://127.0.0.1:9"))
    done: list[int] = []

    def work(_client: ApiClient) -> int:
        gc.collect()  # what any allocation in a pool thread may trigger
        return 1

    for _ in range(8):
        runner.run(work, done.append)
    assert len(runner.findChildren(_Relay)) == 8  # before any result: owned by the runner's tree
    qtbot.waitUntil(lambda: len(done) == 8, timeout=30_000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert runner.findChildren(_Relay) == [] and runner.busy == 0
    runner.shutdown()


def test_inline_runner_delivers_errors_and_the_401_signal_at_once(qtbot: QtBot) -> None:
    runner = TaskRunner(Connection("http://127.0.0.1:9"), inline=True)
    errors: list[Exception] = []
    unauthorized: list[object] = []
    failed: list[object] = []
    runner.unauthorized.connect(unauthorized.append)
    runner.failed.connect(lambda error, _retry: failed.append(error))

    def expired(_client: ApiClient) -> None:
        raise UnauthorizedError(401, "Unauthorized")

    def down(_client: ApiClient) -> None:
        raise ServerUnreachable("no answer")

    def bug(_client: ApiClient) -> None:
        raise KeyError("a bug in a background function")

    runner.run(expired, on_error=errors.append)
    assert len(unauthorized) == 1 and isinstance(errors[0], UnauthorizedError)
    runner.run(down)  # no handler of its own: the window's banner gets it, with a retry
    assert isinstance(failed[0], ServerUnreachable)
    runner.run(bug, on_error=errors.append)  # a bug reaches the GUI as an error, never kills the pool
    assert isinstance(errors[-1], KeyError)
    assert runner.busy == 0 and len(runner.handler_ms) == 3
    runner.shutdown()


def test_the_file_download_writes_off_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    from comandia.console.windows.export import download

    gui = threading.get_ident()
    runner = TaskRunner(Connection("http://127.0.0.1:9"))
    written: list[Path] = []

    def fetch(_client: ApiClient, dataset: str, fmt: str) -> bytes:
        assert threading.get_ident() != gui
        return f"{dataset}.{fmt}".encode()

    runner.run(download(fetch, "orders", "csv", tmp_path / "orders.csv"), written.append)
    qtbot.waitUntil(lambda: bool(written))
    assert written[0].read_bytes() == b"orders.csv"
    runner.shutdown()
