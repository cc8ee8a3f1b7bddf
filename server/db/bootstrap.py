"""Create and migrate the control database on the primary server."""

from __future__ import annotations

from comandia.server.db import migrate
from comandia.server.db.cluster import sa_connection
from comandia.server.db.sessions import Databases


def control_database_ready(databases: Databases) -> bool:
    """True when the control database exists and is at head (what `init` and `migrate` do)."""
    cluster = databases.primary_cluster()
    if not cluster.database_exists(databases.config.control_database):
        return False
    with databases.control_engine.connect() as connection:
        return migrate.current_revision(connection) == migrate.head_revision("control")


def ensure_control_database(databases: Databases) -> str:
    """Create the control database if missing and bring it to head; returns its revision."""
    cluster = databases.primary_cluster()
    name = databases.config.control_database
    with cluster.exclusive("comandia-control"):
        if not cluster.database_exists(name):
            cluster.create_database(name)
        with sa_connection(cluster, name, databases.budget, databases.options) as connection:
            return migrate.upgrade(connection, "control")
