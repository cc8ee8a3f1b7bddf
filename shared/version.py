"""COMANDIA's release version: the one place it is written (pyproject.toml reads it from here).

Bumped once per release. The server reports it (`/healthz`), the console compares it with its own
and `comandia-admin --version` prints it.
"""

__version__ = "0.2.0"
