"""The thread that listens for other processes' changes and drops this process's caches.

One direct connection to the control database (outside the connection budget: it is one per
process and idle), `LISTEN comandia_changes`, then each notification is handed to `on_change`.
In the jobs process it also listens on `comandia_work` (jobs/work_relay.py) and hands what the
request processes made work for to `on_work`.
When the connection is lost the listener reconnects with a backoff and calls `on_reconnect`
first, since anything announced meanwhile was missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import psycopg
from psycopg import sql

from comandia.server.db.changes import CHANNEL, Change, parse
from comandia.server.jobs.loop import BackgroundLoop
from comandia.server.jobs.work_relay import WORK_CHANNEL, parse_work

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0


class ChangeListener(BackgroundLoop):
    """Args:
    conninfo: libpq connection string of the control database.
    on_change: called with each change and its key.
    on_reconnect: called after every (re)connection, before listening: drop every cache.
    on_work: called with the kind and the tenants of each `comandia_work` notification
        (None: not listened to; only the jobs process does the work).
    """

    def __init__(
        self,
        conninfo: str,
        on_change: Callable[[Change, str], None],
        on_reconnect: Callable[[], None],
        on_work: Callable[[str, set[str]], None] | None = None,
    ) -> None:
        super().__init__("change-listener")
        self._conninfo = conninfo
        self._on_change = on_change
        self._on_reconnect = on_reconnect
        self._on_work = on_work
        self.listening = False

    def run(self) -> None:
        backoff = POLL_SECONDS
        first = True
        while not self._stop_event.is_set():
            try:
                with psycopg.connect(
                    self._conninfo, autocommit=True, connect_timeout=5, application_name="comandia-changes"
                ) as connection:
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                    if self._on_work is not None:
                        connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(WORK_CHANNEL)))
                    if not first:
                        self._safely(self._on_reconnect, None)
                    first, backoff = False, POLL_SECONDS
                    self._listen(connection)
            except psycopg.Error as error:
                log.warning("change listener: %s (retrying in %.1f s)", str(error).strip(), backoff)
            finally:
                self.listening = False
            if self._stop_event.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def _listen(self, connection: psycopg.Connection[Any]) -> None:
        self.listening = True
        while not self._stop_event.is_set():
            for notification in connection.notifies(timeout=POLL_SECONDS):
                if notification.channel == WORK_CHANNEL and self._on_work is not None:
                    self._safely(partial(self._on_work, *parse_work(notification.payload)), None)
                else:
                    self._safely(partial(self._dispatch, notification.payload), None)

    def _dispatch(self, text: str) -> None:
        change = parse(text)
        if change is not None:  # a kind from a newer version: its caches expire by their ttl
            self._on_change(*change)
