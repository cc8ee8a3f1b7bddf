"""`comandia-console --startup-probe`: the console starts, builds its main window and exits 0; matplotlib
waits for the dashboard, and `requests`, the API client and the main window wait until the login window
shows. The start-up time itself is a figure the probe prints, not a timed test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from comandia.console.startup import seconds_since_start


def offscreen_env(home: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_CONFIG_HOME": str(home)}


def test_the_probe_builds_every_page_offline_and_exits_0(tmp_path: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-m", "comandia.console", "--startup-probe"],
        env=offscreen_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    login, main = probe.stdout.splitlines()
    assert login.startswith("login window after ") and login.endswith(" s")
    assert main.startswith("main window after ") and "(14 pages; from process start)" in main
    assert not list(tmp_path.rglob("*.conf")), "the probe saved settings"


def test_opening_the_console_leaves_matplotlib_for_the_dashboard(tmp_path: Path) -> None:
    code = (
        "import sys, comandia.console.app, comandia.console.windows.main_window;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'numpy')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=offscreen_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert run.stdout.strip() == "[]"


# `comandia-console` as a person starts it, stopped as soon as its login window is on screen.
AT_THE_LOGIN_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from comandia.console.app import main
from comandia.console.windows.login import LoginDialog

def at_login() -> None:
    qt = QApplication.instance()
    if not any(isinstance(w, LoginDialog) and w.isVisible() for w in qt.topLevelWidgets()):
        QTimer.singleShot(0, at_login)
        return
    heavy = ("requests", "urllib3", "matplotlib", "numpy", "comandia.shared.client.api",
             "comandia.console.windows.main_window")
    print("loaded before the login window:", sorted(m for m in sys.modules if m.startswith(heavy)))
    qt.quit()

QApplication(sys.argv[:1])
QTimer.singleShot(0, at_login)
sys.exit(main([]))
"""


def test_the_login_window_shows_before_requests_the_client_and_the_main_window_load(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", AT_THE_LOGIN_WINDOW],
        env=offscreen_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "loaded before the login window: []"


def test_the_start_is_read_from_proc_where_the_system_has_it(tmp_path: Path) -> None:
    (tmp_path / "self").mkdir()
    ticks = os.sysconf("SC_CLK_TCK")
    fields = ["S", *["0"] * 18, str(100 * ticks)]  # the start, field 22: 100 s after boot
    (tmp_path / "self/stat").write_text(f"123 (a (strange) name) {' '.join(fields)} 0 0\n")
    (tmp_path / "uptime").write_text("101.25 300.00\n")
    assert seconds_since_start(tmp_path) == (1.25, True)


def test_without_proc_the_clock_starts_at_the_console_import(tmp_path: Path) -> None:
    seconds, from_process = seconds_since_start(tmp_path / "missing")
    assert not from_process and seconds > 0
