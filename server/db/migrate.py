"""Run the Alembic trees on a connection we hand in.

Each database is upgraded in one transaction (PostgreSQL has transactional DDL), so a crash
leaves it at its old revision or its new one, never between.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

_TREES = Path(__file__).parent / "migrations"


def _config(tree: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_TREES / tree))
    return config


@cache
def head_revision(tree: str) -> str:
    """The newest revision of the `control` or `tenant` tree."""
    head = ScriptDirectory.from_config(_config(tree)).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, tree: str, as_role: str | None = None) -> str:
    """Bring the database behind `connection` to the head of `tree` and commit.

    Args:
        as_role: run the DDL as this role, so that it owns what the migration creates
            (the tenant's own role, or the template owner).

    Returns:
        The revision the database is at afterwards.
    """
    config = _config(tree)
    with connection.begin():
        if as_role is not None:
            quoted = connection.dialect.identifier_preparer.quote(as_role)
            connection.execute(text(f"SET LOCAL ROLE {quoted}"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head_revision(tree)
