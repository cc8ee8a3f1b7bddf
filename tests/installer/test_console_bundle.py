"""The console as an app: PyInstaller builds the one-folder bundle from
installer/console/comandia-console.spec, and the frozen app prints its version and opens its
login window offscreen (about 1.5 minutes; Windows and macOS bundles are built the same way on
those systems, docs/install.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from comandia.shared.version import __version__
from tests.installer.scratch import REPO


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_frozen_console_starts_to_its_login_window(tmp_path: Path) -> None:
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    build = subprocess.run(
        [
            str(pyinstaller),
            "--noconfirm",
            "--log-level",
            "ERROR",
            "--distpath",
            str(tmp_path / "dist"),
            "--workpath",
            str(tmp_path / "build"),
            str(REPO / "installer/console/comandia-console.spec"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=840,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    app = tmp_path / "dist/comandia-console/comandia-console"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    version = subprocess.run([str(app), "--version"], env=env, capture_output=True, text=True, check=False, timeout=120)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"comandia-console {__version__}"
    probe = subprocess.run(
        [str(app), "--startup-probe"], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.startswith("login window after "), probe.stdout + probe.stderr
    # The server's side stays out of the console's bundle.
    internal = app.parent / "_internal"
    assert not list(internal.glob("sqlalchemy*")) and not list(internal.glob("psycopg*"))
