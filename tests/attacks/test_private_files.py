"""Issue 14, finding 7 (files): the first admin password lives in a 0600 file only and goes away
once the password is changed; COMANDIA_HOME, backups/ and each run folder are 0700."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

from comandia.server.config import ServerConfig
from comandia.server.files import private_dir
from comandia.server.services.auth.users import FIRST_ADMIN, UserService
from comandia.server.wiring import Runtime, open_runtime


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_first_password_file_is_removed_once_the_password_changes(runtime: Runtime, tmp_path: Path) -> None:
    note = tmp_path / "initial-admin-password"
    users = UserService(runtime.databases, first_password_file=note)
    for change in ("own", "reset"):
        name = FIRST_ADMIN
        note.write_text("generated\n")
        os.chmod(note, 0o600)
        existing = [u for u in users.list() if u.username == name]
        user = existing[0] if existing else users.create(name, "generated password", "superadmin", None, actor="t")
        if change == "own":
            users.update(user.id, actor="t", password="generated password")  # a known starting point
            note.write_text("generated\n")
            users.change_own_password(user.id, "generated password", "a password I chose", address="192.0.2.77")
        else:
            users.update(user.id, actor="t", password="another password I chose")
        assert not note.exists(), change


def test_home_backups_and_run_folders_are_private(config: ServerConfig, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)  # noqa: S103 - the loose mode the test expects to be tightened
    runtime = open_runtime(dataclasses.replace(config, home=home))
    try:
        assert _mode(home) == 0o700
        run = private_dir(runtime.config.backup_dir / "2026-12-05T000000Z" / "tenant")
        for folder in (runtime.config.backup_dir, run.parent, run):
            assert _mode(folder) == 0o700, folder
    finally:
        runtime.close()
