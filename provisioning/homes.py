"""Which data directory holds the appliance: comandia-admin must use the server's, not a fresh one.

Run with another `COMANDIA_HOME` than the server's (another user, no `sudo`, a missing variable),
comandia-admin would start an empty embedded PostgreSQL there and suggest `init`, as if the
appliance had no data. Before that happens it looks where the server's data is known to be: the
installed appliance's environment file and the default data directory.
"""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

from comandia.server.config import ServerConfig

APPLIANCE_ENV = Path("/etc/comandia/comandia.env")  # written by installer/install.sh


def holds_data(home: Path) -> bool:
    """A data directory some COMANDIA server has used (its secret key or its embedded cluster)."""
    return (home / "secret.key").is_file() or (home / "pgdata").is_dir()


def appliance_home(env_file: Path = APPLIANCE_ENV) -> Path | None:
    """COMANDIA_HOME of the installed appliance, from its environment file (None when not installed)."""
    try:
        text = env_file.read_text(encoding="utf-8")
    except OSError:  # not installed, or not readable by this user (then it is not ours to use)
        return None
    found = re.search(r"""^COMANDIA_HOME=['"]?([^'"\n]+)['"]?\s*$""", text, re.M)
    return Path(found.group(1)) if found else None


def server_home_elsewhere(config: ServerConfig, env_file: Path = APPLIANCE_ENV) -> Path | None:
    """The data directory the server uses, when comandia-admin is about to use another, empty one.

    Only for the embedded PostgreSQL (an external one is named by its URL, whatever the home).
    """
    if config.database_url is not None or holds_data(config.home):
        return None
    candidates = [appliance_home(env_file), Path(platformdirs.user_data_dir("comandia"))]
    for candidate in candidates:
        if candidate is not None and candidate.resolve() != config.home.resolve() and holds_data(candidate):
            return candidate
    return None
