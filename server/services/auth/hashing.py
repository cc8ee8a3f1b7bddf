"""Password hashing on its own small bounded pool, so it can never starve the webhooks (RELIABILITY S17).

argon2id is meant to be expensive (~25 ms of a core and 19 MiB per check here, S5). Sixteen request
threads hashing at once took every core and pushed webhook medians from 6 ms to 2.4 s. So at
most `workers` hashes run at a time, at most `waiting` more requests wait for one, and any
request past that is answered 429 at once instead of holding a server thread: password work
can tie up `workers + waiting` of the server's threads, never all of them.

A login takes its place (`reserve`) before it records anything in the control database, so a
storm the pool refuses costs neither a hash nor a database write per attempt (RELIABILITY L3).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from comandia.server.services.auth.passwords import hash_password, verify_password
from comandia.shared.domain.errors import TooManyRequests
from comandia.shared.i18n import N_

BUSY = N_("the server is busy checking passwords; try again in a moment")


class PasswordHashing:
    """Verifies and hashes passwords, `workers` at a time (default: half the cores, at least one)."""

    def __init__(
        self,
        workers: int | None = None,
        waiting: int = 2,
        verify: Callable[[str | None, str], bool] = verify_password,
        hasher: Callable[[str], str] = hash_password,
    ) -> None:
        self.workers = workers or max(1, (os.cpu_count() or 2) // 2)
        self._running = threading.BoundedSemaphore(self.workers)
        self._admitted = threading.BoundedSemaphore(self.workers + waiting)
        self._verify = verify
        self._hash = hasher

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Raises: TooManyRequests when the pool and its queue are full."""
        with self.reserve() as verify:
            return verify(stored_hash, password)

    @contextmanager
    def reserve(self) -> Iterator[Callable[[str | None, str], bool]]:
        """A place in the pool (or its queue), taken now; inside, the yielded verify runs on it.

        Raises:
            TooManyRequests: when the pool and its queue are full (nothing else was done).
        """
        with self._slot():
            yield self._verify_reserved

    def _verify_reserved(self, stored_hash: str | None, password: str) -> bool:
        with self._running:
            return self._verify(stored_hash, password)

    def hash(self, password: str) -> str:
        """Raises: TooManyRequests (pool full), ValidationFailed (too short or too long)."""
        with self._slot(), self._running:
            return self._hash(password)

    @contextmanager
    def _slot(self) -> Iterator[None]:
        if not self._admitted.acquire(blocking=False):
            raise TooManyRequests(BUSY, retry_after=1)
        try:
            yield
        finally:
            self._admitted.release()
