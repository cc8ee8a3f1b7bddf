"""What every benchmark needs: a migrated appliance on a throwaway database, and percentiles.

With no URL a private embedded PostgreSQL is started and deleted afterwards; with one, the run
uses a random name prefix there and drops what it made.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comandia.server.config import load_config
from comandia.server.db.bootstrap import ensure_control_database
from comandia.server.wiring import Runtime, open_runtime
from tests.plugins.postgres import EmbeddedCluster, drop_prefixed


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank `p`th percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@contextmanager
def bench_runtime(database_url: str | None, tag: str, **settings: Any) -> Iterator[Runtime]:
    """A Runtime on a migrated control database; `tag` starts the run's database prefix."""
    cluster = None if database_url else EmbeddedCluster("bench")
    url = database_url or (cluster.url if cluster else "")
    prefix = tag + secrets.token_hex(3)
    config = load_config(
        {
            "home": Path(tempfile.mkdtemp()),
            "database_url": url,
            "db_prefix": prefix,
            "secret_key": "bench",
            "log_level": "WARNING",
            **settings,
        },
        env={},
    )
    runtime = open_runtime(config)
    try:
        ensure_control_database(runtime.databases)
        runtime.servers.register_primary()
        yield runtime
    finally:
        runtime.close()
        if cluster is not None:
            cluster.close()
        else:
            drop_prefixed(url, prefix)
