"""comandia-admin with another COMANDIA_HOME than the server's says where the server's data is,
instead of starting an empty appliance and suggesting `init`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from comandia.provisioning.homes import appliance_home, server_home_elsewhere
from comandia.server.config import load_config


def appliance(tmp_path: Path) -> tuple[Path, Path]:
    """An installed appliance's env file naming a data directory that holds data."""
    home = tmp_path / "var/lib/comandia"
    home.mkdir(parents=True)
    (home / "secret.key").write_text("k")
    env_file = tmp_path / "comandia.env"
    env_file.write_text(f"# written by install.sh\nCOMANDIA_HOME='{home}'\nCOMANDIA_PORT='8080'\n")
    return home, env_file


def test_an_empty_home_points_at_the_appliances_data(tmp_path: Path) -> None:
    home, env_file = appliance(tmp_path)
    assert appliance_home(env_file) == home
    empty = load_config({"home": tmp_path / "elsewhere"}, env={})
    assert server_home_elsewhere(empty, env_file) == home


def test_the_servers_own_home_or_an_external_database_is_left_alone(tmp_path: Path) -> None:
    home, env_file = appliance(tmp_path)
    assert server_home_elsewhere(load_config({"home": home}, env={}), env_file) is None
    external = load_config({"home": tmp_path / "x", "database_url": "postgresql://u@h/p"}, env={})
    assert server_home_elsewhere(external, env_file) is None
    assert appliance_home(tmp_path / "missing.env") is None


def test_comandia_admin_says_so_in_one_line_and_creates_nothing(tmp_path: Path) -> None:
    """The real command, with the default data directory holding the server's data."""
    default = tmp_path / "xdg/comandia"
    default.mkdir(parents=True)
    (default / "secret.key").write_text("k")
    elsewhere = tmp_path / "other-home"
    result = subprocess.run(
        [sys.executable, "-m", "comandia.provisioning.cli", "--home", str(elsewhere), "tenant", "list"],
        env={"PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"los del servidor están en {default}" in result.stderr  # Spanish unless asked for English
    assert "init" not in result.stderr
    assert not elsewhere.exists()
