"""Freeze a tenant's database so nothing writes to it, and thaw it again (moves, restores in place).

Frozen: the tenant's role is NOLOGIN and every session on its database is ended, so every tenant
session (its managers', the superadmin's, the webhooks', the jobs') is refused at once and
answered 503 with `Retry-After` (the database is "not reachable"), never 500. A write that was
under way is rolled back, so nothing acknowledged is lost. The tenant stays active: its users
keep their sessions, unlike a deactivation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from comandia.server.db.cluster import Cluster

log = logging.getLogger(__name__)


def freeze(cluster: Cluster, database: str, role: str, forget: Callable[[], None]) -> None:
    """Make `role` NOLOGIN and end every session on `database`; `forget` drops the pools and cached
    context of the tenant (connections opened before the freeze must not write after it).

    Raises:
        Unavailable: the server does not answer, or sessions outlived `Cluster.end_sessions`'
            bound (the role is left NOLOGIN: the caller thaws it).
    """
    cluster.allow_login(role, False)
    cluster.end_sessions(database)
    forget()


def thaw(cluster: Cluster, role: str) -> None:
    """Let `role` log in again; never raises (the caller's own error, if any, matters more)."""
    try:
        cluster.allow_login(role, True)
    except Exception:  # say what the operator must do
        log.exception("could not let %s log in again on %s: run ALTER ROLE %s LOGIN there", role, cluster.name, role)
