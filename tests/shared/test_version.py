"""The release version: written once, read by the packaging, and compared by the console."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version as installed_version

import pytest

from comandia.shared.version import __version__, compare, release


def test_the_installed_distribution_carries_the_version_of_shared_version() -> None:
    assert installed_version("comandia") == __version__
    assert release(__version__) >= (0, 2, 0)


@pytest.mark.parametrize("command", ["comandia.server.cli", "comandia.provisioning.cli", "comandia.console.app"])
def test_every_command_prints_the_version(command: str) -> None:
    code = f"import sys; from {command} import main; sys.exit(main(['--version']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f" {__version__}")


@pytest.mark.parametrize(
    ("console", "server", "fit"),
    [
        ("0.2.0", "0.2.0", "same"),
        ("0.2.0", "0.2.3", "compatible"),
        ("0.2.1", "0.2.0", "compatible"),
        ("0.2.0", "0.3.0", "server_newer"),
        ("0.2.0", "1.0.0", "server_newer"),
        ("0.2.0", "0.1.9", "server_older"),
        ("0.10.0", "0.9.0", "server_older"),  # numbers, not text
        ("0.2.0", "0.2.0.dev1", "same"),
        ("0.2.0", "", "server_older"),  # a server that does not say predates the check
    ],
)
def test_the_console_tells_a_newer_or_older_server_from_a_compatible_one(console: str, server: str, fit: str) -> None:
    assert compare(console, server) == fit
