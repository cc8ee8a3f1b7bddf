"""Caps the webhook posts that wait on one database server once it stops answering (RELIABILITY L2).

When a server goes silent (a blackhole: packets vanish, nothing is refused), every post that
reaches it waits its whole database deadline. Without a cap each one holds a request thread,
all threads end up waiting, and the posts queued behind them wait a deadline for a thread and
then another for the database: twice the deadline, past the 2 s that L2 allows. So at most
`cap` posts (fewer than the request threads) wait on one server at a time. One more finds the
server busy: it waits for a place while answers keep coming (a slow server, +200 ms a round
trip, is busy, not silent), but once no post on that server has been answered for
`quiet_after` seconds it is answered 503 with Retry-After at once, and the provider retries.
The threads left over keep answering: other servers' tenants, the quick 503s, /healthz.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from comandia.server.db.engines import DeadlineExceeded, time_left
from comandia.shared.domain.errors import Unavailable

QUIET_AFTER_SECONDS = 0.25
"""No answer from a busy server for this long: silent. A healthy insert answers in milliseconds."""


def cap_for(threads: int) -> int:
    """Posts that may wait on one server: all request threads but two, so two always answer."""
    return max(1, threads - 2)


class SilentServers:
    """Counts, per database server, the posts waiting on it and when one was last answered.

    Args:
        cap: posts that may wait on one server at once (see `cap_for`).
        quiet_after: seconds without an answer after which a full server counts as silent.
    """

    def __init__(
        self, cap: int, quiet_after: float = QUIET_AFTER_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._cap = max(1, cap)
        self._quiet_after = quiet_after
        self._clock = clock
        self._waiting: Counter[str] = Counter()
        self._answered: dict[str, float] = {}
        self._changed = threading.Condition()

    @contextmanager
    def waiting(self, server: str) -> Iterator[None]:
        """Hold a place among `server`'s waiting posts for the body's database work.

        Raises:
            DeadlineExceeded: the server is full and silent, or no place came free before the
                caller's database deadline (a 503 with Retry-After).
        """
        with self._changed:
            self._answered.setdefault(server, self._clock())  # a first post is not a silence
            while self._waiting[server] >= self._cap:
                quiet = self._clock() - self._answered[server]
                left = time_left()
                if quiet >= self._quiet_after or (left is not None and left <= 0):
                    raise DeadlineExceeded("the database server is not answering; try again shortly")
                self._changed.wait(self._quiet_after - quiet if left is None else min(left, self._quiet_after - quiet))
            self._waiting[server] += 1
        answered = True
        try:
            yield
        except Unavailable:
            answered = False  # unreachable, refused or silent: not an answer
            raise
        finally:
            with self._changed:
                self._waiting[server] -= 1
                if answered:
                    self._answered[server] = self._clock()
                self._changed.notify()
