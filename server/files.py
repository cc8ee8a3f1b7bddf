"""Folders that hold secrets or customers' data are private to the server's user (mode 0700).

`COMANDIA_HOME` holds the secret key, the first admin password and (embedded) the database;
`backups/` and each run folder under it hold every tenant's customers. `mkdir(mode=...,
parents=True)` gives only the last level that mode (the parents get the umask's), and an
existing folder keeps whatever mode it had: `private_dir` sets every level it creates, and the
folder itself, to 0700.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o700


def private_dir(path: Path, mode: int = PRIVATE) -> Path:
    """Create `path` (and its missing parents) with `mode`, and tighten it if it already exists."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=mode, exist_ok=True)
        os.chmod(folder, mode)  # mkdir's mode passes through the umask
    os.chmod(path, mode)
    return path


def private_home(home: Path, embedded: bool) -> None:
    """Make `COMANDIA_HOME` private, except for an embedded cluster started as root: its server
    then runs as another system user that must reach `pgdata` inside the home (the secrets in
    it are 0600 files either way). The installer runs the server as its own user, never root."""
    if not (embedded and os.geteuid() == 0):
        private_dir(home)
