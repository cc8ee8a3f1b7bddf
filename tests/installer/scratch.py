"""Running installer/install.sh into a scratch root, and the installed appliance's processes.

`--root DIR` puts every path the installer writes under DIR (inside files too), so the tree
works as it stands: its venv runs the server, its nginx site loads, its units verify.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.plugins.leftovers import forget_process, record_process

REPO = Path(__file__).resolve().parents[2]
INSTALL_SH = REPO / "installer" / "install.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without COMANDIA_* (the installed tree must carry its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMANDIA_")}
    env.update(extra)
    return env


def install_sh(
    *args: str | Path, lang: str = "es_MX.UTF-8", timeout: float = 600, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(INSTALL_SH), *map(str, args)],
        env=clean_env(LANG=lang, LC_ALL="", **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_env_file(root: Path) -> dict[str, str]:
    values = {}
    for line in (root / "etc/comandia/comandia.env").read_text().splitlines():
        found = re.fullmatch(r"(\w+)='(.*)'", line)
        if found:
            values[found.group(1)] = found.group(2)
    return values


def build_wheel(version: str, into: Path, extra_tenant_migration: str | None = None) -> Path:
    """A wheel of this checkout with another version (and optionally one more tenant migration)."""
    source = into / f"src-{version}"
    source.mkdir(parents=True)
    skip = {".git", ".venv", "build", "dist", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    for entry in REPO.iterdir():
        if entry.name in skip or entry.name.endswith(".egg-info"):
            continue
        if entry.is_dir():
            shutil.copytree(entry, source / entry.name, ignore=shutil.ignore_patterns(*skip, "*.egg-info"))
        else:
            shutil.copy2(entry, source / entry.name)
    version_file = source / "shared/version.py"
    version_file.write_text(re.sub(r'__version__ = ".*"', f'__version__ = "{version}"', version_file.read_text()))
    if extra_tenant_migration:
        versions = source / "server/db/migrations/tenant/versions"
        (versions / "t9999_installer_test.py").write_text(extra_tenant_migration)
    subprocess.run(
        ["python3", "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(into), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(into.glob(f"comandia-{version}-*.whl"))
    return wheel


@contextmanager
def installed_server(root: Path, release: str = "current", **env: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """comandia-server from the tree's venv with the env file's environment; yields (process, base URL)."""
    values = read_env_file(root)
    server = root / "opt/comandia" / release / "venv/bin/comandia-server"
    process = subprocess.Popen(
        [str(server)],
        env=clean_env(**values, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    marker = record_process(process.pid)
    base = f"http://127.0.0.1:{values['COMANDIA_PORT']}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the installed server exited: {process.stdout.read() if process.stdout else ''}")
            try:
                if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # the supervisor listens before its request process answers: wait for it too
            time.sleep(0.3)
        else:
            raise AssertionError("the installed server never became ready")
        yield process, base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        forget_process(marker)


def admin(root: Path, *args: str, release: str = "current", **env: str) -> subprocess.CompletedProcess[str]:
    """The tree's comandia-admin with the env file's environment."""
    binary = root / "opt/comandia" / release / "venv/bin/comandia-admin"
    return subprocess.run(
        [str(binary), *args],
        env=clean_env(**read_env_file(root), **env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
