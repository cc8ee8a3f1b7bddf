"""Alembic trees: `control/` for the control database, `tenant/` for every tenant database."""
