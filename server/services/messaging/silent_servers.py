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
from collections.abc import Callable
from types import TracebackType

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
        self._waiting: dict[str, int] = {}
        self._answered: dict[str, float] = {}
        # A plain Lock, not the Condition's default RLock, and woken only when a post waits for
        # a place: every webhook passes here twice, and in a py-spy profile under load (6 December,
        # 50 tenants) the generator context manager, the RLock and waking nobody took 6 % of the
        # request process's interpreter.
        self._changed = threading.Condition(threading.Lock())
        self._sleepers = 0

    def waiting(self, server: str) -> _Place:
        """Hold a place among `server`'s waiting posts for the body's database work (a `with` block).

        Raises:
            DeadlineExceeded: the server is full and silent, or no place came free before the
                caller's database deadline (a 503 with Retry-After).
        """
        return _Place(self, server)

    def _enter(self, server: str) -> None:
        with self._changed:
            if server not in self._answered:
                self._answered[server] = self._clock()  # a first post is not a silence
            count = self._waiting.get(server, 0)
            while count >= self._cap:
                quiet = self._clock() - self._answered[server]
                left = time_left()
                if quiet >= self._quiet_after or (left is not None and left <= 0):
                    raise DeadlineExceeded("the database server is not answering; try again shortly")
                self._sleepers += 1
                try:
                    self._changed.wait(
                        self._quiet_after - quiet if left is None else min(left, self._quiet_after - quiet)
                    )
                finally:
                    self._sleepers -= 1
                count = self._waiting.get(server, 0)
            self._waiting[server] = count + 1

    def _leave(self, server: str, answered: bool) -> None:
        with self._changed:
            self._waiting[server] -= 1
            if answered:
                self._answered[server] = self._clock()
            if self._sleepers:
                self._changed.notify()


class _Place:
    """A post's place among one server's waiting posts, for the length of a `with` block.

    A class rather than a generator-based context manager: it runs twice on every webhook.
    """

    __slots__ = ("_gate", "_server")

    def __init__(self, gate: SilentServers, server: str) -> None:
        self._gate = gate
        self._server = server

    def __enter__(self) -> None:
        self._gate._enter(self._server)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        # Unreachable, refused or silent is not an answer; anything else (a bug included) came back.
        self._gate._leave(self._server, answered=not isinstance(error, Unavailable))
