"""A clock a test moves by hand: services take it as their `clock` (the composition root's
`Collaborators(clock=...)`), and the test sets or advances `now`."""

from __future__ import annotations

import datetime as dt


class Clock:
    """Returns `now` (the real time at creation unless given) until the test changes it."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now
