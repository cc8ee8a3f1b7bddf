"""Several writes of a session's transaction sent together: one round trip instead of one each.

An order change adds a dozen small rows (the KPI rollups, the changes feed) whose answers nobody
reads. Sent one at a time, each waited for its answer, and those waits were a large share of an
order's time. In psycopg's pipeline mode the statements still run one after another on the
server, in the order sent, in the session's own transaction, with the same locks, constraints
and timeouts; only the waiting is shared, at the end of the block. A failure in any of them
aborts the transaction as before and comes out of the block as SQLAlchemy's error for it (so a
lost connection is still `Unavailable` at the edge, a unique violation still an IntegrityError).
Rows a statement returns (`Pipeline.query`) are read after the block.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session

Params = Mapping[str, Any]


class Pipeline:
    """Statements queued in a pipeline; written with psycopg's ``%(name)s`` placeholders."""

    def __init__(self, connection: psycopg.Connection[Any], cursor: psycopg.Cursor[Any]) -> None:
        self._connection = connection
        self._cursor = cursor

    def execute(self, sql: str, params: Params | None = None) -> None:
        self._cursor.execute(sql.encode(), params)

    def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self._cursor.executemany(sql.encode(), rows)

    def commit(self) -> None:
        """Queue the transaction's COMMIT, to go with the statements before it in the same round
        trip (the session's own `commit()` after the block then has nothing left to send). When a
        statement before it fails, the server skips it and the block raises as for any failure."""
        self._cursor.execute(b"COMMIT")

    def query(self, sql: str, params: Params | None = None) -> psycopg.Cursor[Any]:
        """Queue a statement whose rows are read from the returned cursor once the block has ended."""
        cursor = self._connection.cursor()
        cursor.execute(sql.encode(), params)
        return cursor


@contextmanager
def pipelined(session: Session) -> Iterator[Pipeline]:
    """A pipeline on the session's connection, inside its transaction; synced when the block ends.

    Pending ORM changes are flushed first, so the queued statements see them (and follow their
    locks, in the order the caller's code took them).

    Raises:
        sqlalchemy.exc.DBAPIError: (its subclass for the failure) a statement failed.
    """
    session.flush()
    connection = session.connection()
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)  # noqa: S101 - the only driver
    try:
        with driver.pipeline(), driver.cursor() as cursor:
            yield Pipeline(driver, cursor)
    except psycopg.Error as error:
        if driver.closed:  # never lend it again (SQLAlchemy does the same for its own statements)
            connection.invalidate(error)
        raise sa.exc.DBAPIError.instance(None, None, error, psycopg.Error) from error
