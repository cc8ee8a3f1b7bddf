"""SilentServers: a full server that has stopped answering refuses more posts at once; a full
server that still answers makes them wait for a place (RELIABILITY L2)."""

from __future__ import annotations

import threading
import time

import pytest

from comandia.server.db.engines import DeadlineExceeded, database_deadline
from comandia.server.services.messaging.silent_servers import SilentServers, cap_for
from comandia.shared.domain.errors import Unavailable


def test_a_full_silent_server_refuses_the_next_post_at_once() -> None:
    gate = SilentServers(cap=2, quiet_after=0.2)
    release = threading.Event()

    def hold() -> None:
        with pytest.raises(Unavailable), gate.waiting("db:5432"):
            release.wait(10)
            raise Unavailable("the database did not answer in time; try again shortly")

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for holder in holders:
        holder.start()
    time.sleep(0.4)  # both places taken, nothing answered for longer than quiet_after
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded), database_deadline(1.5), gate.waiting("db:5432"):
        pass
    refused_in = time.monotonic() - started
    with gate.waiting("other:5432"):  # another server is not affected
        pass
    release.set()
    for holder in holders:
        holder.join()
    assert refused_in < 0.1
    with gate.waiting("db:5432"):  # places free again: posts get through
        pass


def test_a_full_server_that_answers_makes_the_next_post_wait_for_a_place() -> None:
    gate = SilentServers(cap=1, quiet_after=0.5)
    with gate.waiting("db:5432"):
        pass  # answered just now
    entered = threading.Event()
    waited: list[float] = []

    def hold() -> None:
        with gate.waiting("db:5432"):
            entered.set()
            time.sleep(0.2)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    started = time.monotonic()
    with database_deadline(1.5), gate.waiting("db:5432"):
        waited.append(time.monotonic() - started)
    holder.join()
    assert waited and waited[0] > 0.05  # it waited for the holder instead of being refused


def test_two_threads_always_stay_free_of_a_silent_server() -> None:
    assert cap_for(8) == 6 and cap_for(2) == 1 and cap_for(1) == 1
