"""Tenant databases are copied from a migrated template, not built by replaying migrations.

Each server has one template database, ``<prefix>_template``, kept at the head of the tenant
tree. Its objects are owned by ``<prefix>_template_owner`` (a role nobody logs in as); a copy is
handed to its tenant with ``REASSIGN OWNED``, which is a catalog update, so a new tenant costs
one ``CREATE DATABASE ... TEMPLATE`` plus a few statements.
"""

from __future__ import annotations

from psycopg import sql

from comandia.server.db import migrate
from comandia.server.db.cluster import Cluster, sa_connection
from comandia.server.db.engines import ConnectionBudget, ConnectOptions


def template_name(prefix: str) -> str:
    return f"{prefix}_template"


def template_owner(prefix: str) -> str:
    return f"{prefix}_template_owner"


def ensure_template(cluster: Cluster, prefix: str, budget: ConnectionBudget, options: ConnectOptions) -> str:
    """Create the template if missing and bring it to head. Caller holds `cluster.exclusive`.

    Returns:
        The template's revision.
    """
    name, owner = template_name(prefix), template_owner(prefix)
    cluster.create_group_role(owner)
    if not cluster.database_exists(name):
        cluster.create_database(name)
        with cluster.connect(name) as connection:
            connection.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(sql.Identifier(owner)))
    with sa_connection(cluster, name, budget, options) as connection:
        if migrate.current_revision(connection) == migrate.head_revision("tenant"):
            return migrate.head_revision("tenant")
        connection.rollback()
        return migrate.upgrade(connection, "tenant", as_role=owner)


def copy_template(cluster: Cluster, prefix: str, database: str, role: str, tenant_id: str) -> str | None:
    """Create `database` for `role` from the template and make the role own everything in it.

    Returns:
        The revision the copy is at (None if the template was never migrated).
    """
    owner = template_owner(prefix)
    cluster.create_database(database, owner=role, template=template_name(prefix))
    with cluster.connect(database) as connection, connection.transaction():
        connection.execute(sql.SQL("REASSIGN OWNED BY {} TO {}").format(sql.Identifier(owner), sql.Identifier(role)))
        connection.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(sql.Identifier(owner)))
        connection.execute("INSERT INTO tenant_info (tenant_id) VALUES (%s)", (tenant_id,))
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])
