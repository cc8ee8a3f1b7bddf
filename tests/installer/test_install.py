"""installer/install.sh into a scratch root: the tree, its modes, its units, its nginx site, a
server started from it answering over HTTPS through nginx, bad arguments, and uninstall.

The module shares one installation (building the wheel and the venv takes about a minute);
the uninstall test comes last.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.installer.scratch import (
    INSTALL_SH,
    REPO,
    clean_env,
    free_port,
    install_sh,
    installed_server,
    read_env_file,
)
from tests.plugins.leftovers import owned_prefix
from tests.plugins.postgres import EmbeddedCluster, drop_prefixed

DOMAIN = "comandia.example.test"
UNITS = ("comandia.service", "comandia-backup.service", "comandia-backup.timer")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={DOMAIN}",
            "-addext",
            f"subjectAltName=DNS:{DOMAIN},IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def prefix(embedded_cluster: EmbeddedCluster) -> Iterator[str]:
    name = owned_prefix("ci")
    try:
        yield name
    finally:
        drop_prefixed(embedded_cluster.url, name)


@pytest.fixture(scope="module")
def root(
    tmp_path_factory: pytest.TempPathFactory, embedded_cluster: EmbeddedCluster, certificate: tuple[Path, Path]
) -> Path:
    tree = tmp_path_factory.mktemp("root")
    started = time.monotonic()
    result = install_sh(
        "install",
        "--root",
        tree,
        "--database-url",
        embedded_cluster.url,
        "--domain",
        DOMAIN,
        "--certificate",
        certificate[0],
        "--certificate-key",
        certificate[1],
        "--port",
        str(free_port()),
        "--http-port",
        str(free_port()),
        "--https-port",
        str(free_port()),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"install into a scratch root: {time.monotonic() - started:.1f} s")
    return tree


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_the_tree_holds_the_release_the_wrapper_the_env_and_the_units(root: Path) -> None:
    version = (root / "opt/comandia/current").readlink()
    assert version == Path("releases/0.2.0") or str(version).startswith("releases/")
    release = root / "opt/comandia" / version
    assert (release / "venv/bin/comandia-server").is_file()
    assert mode(root / "etc/comandia/comandia.env") == 0o640
    assert mode(root / "etc/comandia") == 0o750
    assert mode(root / "var/lib/comandia") == 0o750
    assert mode(root / "usr/bin/comandia-admin") == 0o755
    env = read_env_file(root)
    assert env["COMANDIA_HOME"] == str(root / "var/lib/comandia")
    assert env["COMANDIA_PUBLIC_URL"].startswith(f"https://{DOMAIN}:")
    assert env["COMANDIA_TRUSTED_PROXIES"] == "127.0.0.1"
    text = (root / "etc/comandia/comandia.env").read_text()
    assert "COMANDIA_ADMIN_PASSWORD" not in text
    # Exactly one backup schedule: the timer, never the server's own backup_time as well.
    assert "COMANDIA_BACKUP_TIME" not in text
    for unit in UNITS:
        assert (root / "etc/systemd/system" / unit).is_file()
    service = (root / "etc/systemd/system/comandia.service").read_text()
    for line in (
        "Restart=on-failure",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        f"ReadWritePaths={root}/var/lib/comandia",
        "ExecStartPost=",
    ):
        assert line in service
    assert service.count("ReadWritePaths=") == 1


def test_the_installed_comandia_admin_runs_with_the_service_environment(root: Path, prefix: str) -> None:
    result = subprocess.run(
        [str(root / "usr/bin/comandia-admin"), "--version"],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"comandia-admin {(root / 'opt/comandia/current').readlink().name}"


def test_systemd_analyze_verifies_every_unit(root: Path) -> None:
    units = [str(root / "etc/systemd/system" / unit) for unit in UNITS]
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "comandia" not in result.stderr, result.stderr


def nginx_config(root: Path, work: Path) -> Path:
    """A main nginx.conf around the installed site, as Debian's includes sites-enabled."""
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (work / folder).mkdir(parents=True, exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(
        f"pid {work}/nginx.pid;\nerror_log {work}/logs/error.log;\nuser root;\n"
        "events { worker_connections 128; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {work}/client_body;\n"
        f"  proxy_temp_path {work}/proxy;\n  fastcgi_temp_path {work}/fastcgi;\n"
        f"  uwsgi_temp_path {work}/uwsgi;\n  scgi_temp_path {work}/scgi;\n"
        f"  include {root}/etc/nginx/sites-enabled/*.conf;\n}}\n"
    )
    return conf


def test_nginx_accepts_the_generated_site(root: Path, tmp_path: Path) -> None:
    conf = nginx_config(root, tmp_path)
    result = subprocess.run(
        ["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    site = (root / "etc/nginx/sites-enabled/comandia.conf").read_text()
    for directive in ("limit_conn ", "client_body_timeout", "proxy_request_buffering on", "X-Forwarded-For"):
        assert directive in site


def test_the_installed_server_answers_readyz_over_https_through_nginx(
    root: Path, tmp_path: Path, prefix: str, certificate: tuple[Path, Path]
) -> None:
    conf = nginx_config(root, tmp_path)
    public = read_env_file(root)["COMANDIA_PUBLIC_URL"]
    port = public.rsplit(":", 1)[1]
    with installed_server(root, COMANDIA_DB_PREFIX=prefix):
        nginx = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            # The certificate names DOMAIN and loopback; it is the only one the client trusts.
            deadline = time.monotonic() + 20
            answer = None
            while time.monotonic() < deadline and answer is None:
                try:
                    answer = requests.get(
                        f"https://127.0.0.1:{port}/readyz",
                        timeout=5,
                        verify=str(certificate[0]),
                        headers={"Host": DOMAIN},
                    )
                except requests.exceptions.SSLError:
                    raise
                except requests.ConnectionError:  # nginx is still starting
                    time.sleep(0.2)
            assert answer is not None, "nginx never answered"
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"status": "ready"}
            # Plain HTTP is sent to HTTPS.
            http_port = next(
                line.split()[1].rstrip(";")
                for line in (root / "etc/nginx/sites-enabled/comandia.conf").read_text().splitlines()
                if line.strip().startswith("listen ") and "ssl" not in line and "[::]" not in line
            )
            redirect = requests.get(
                f"http://127.0.0.1:{http_port}/readyz", allow_redirects=False, timeout=5, headers={"Host": DOMAIN}
            )
            assert redirect.status_code == 301
            assert redirect.headers["Location"] == f"https://{DOMAIN}/readyz"
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
            assert nginx.stderr is not None
            nginx.stderr.close()


def tree_digest(root: Path) -> dict[str, str]:
    skip = root / "opt/comandia/releases"
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() + oct(mode(p))
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and skip not in p.parents
    }


def test_installing_again_with_the_same_options_changes_nothing(root: Path, certificate: tuple[Path, Path]) -> None:
    before = tree_digest(root)
    env = read_env_file(root)
    site = (root / "etc/nginx/sites-enabled/comandia.conf").read_text()
    ports = [
        line.split()[1].rstrip(";")
        for line in site.splitlines()
        if line.strip().startswith("listen ") and "[::]" not in line
    ]
    result = install_sh(
        "install",
        "--root",
        root,
        "--database-url",
        env["COMANDIA_DATABASE_URL"],
        "--domain",
        DOMAIN,
        "--certificate",
        certificate[0],
        "--certificate-key",
        certificate[1],
        "--port",
        env["COMANDIA_PORT"],
        "--http-port",
        ports[0],
        "--https-port",
        ports[1],
    )
    assert result.returncode == 0, result.stderr
    assert tree_digest(root) == before


def test_a_rerun_keeps_the_operators_settings_and_drops_a_second_backup_schedule(
    root: Path, certificate: tuple[Path, Path]
) -> None:
    env_file = root / "etc/comandia/comandia.env"
    env_file.write_text(env_file.read_text() + "COMANDIA_WORKERS='2'\nCOMANDIA_BACKUP_TIME='03:00'\n")
    env = read_env_file(root)
    result = install_sh(
        "install", "--root", root, "--database-url", env["COMANDIA_DATABASE_URL"], "--port", env["COMANDIA_PORT"]
    )
    assert result.returncode == 0, result.stderr
    assert "COMANDIA_BACKUP_TIME quitado" in result.stdout
    after = read_env_file(root)
    assert after["COMANDIA_WORKERS"] == "2"
    assert "COMANDIA_BACKUP_TIME" not in after
    assert after["COMANDIA_PUBLIC_URL"] == env["COMANDIA_PUBLIC_URL"]  # kept without --domain
    assert mode(env_file) == 0o640


@pytest.mark.parametrize(
    ("args", "spanish", "english"),
    [
        (["install", "--domain", "not a domain"], "nombre de dominio no válido", "not a valid domain name"),
        (["install", "--database-url", "mysql://x"], "URL de base de datos no válida", "not a valid database URL"),
        (["install", "--port", "99999"], "puerto no válido", "not a valid port"),
        (["install", "--frobnicate"], "opción desconocida", "unknown option"),
        (["reinstall"], "orden desconocida", "unknown command"),
        (["install", "--python", "/nonexistent/python3"], "se necesita Python 3.11", "Python 3.11 or later"),
        (["install", "--wheel", "/nonexistent.whl"], "no existe el paquete", "no such wheel"),
        (["uninstall", "--purge"], "agregue --yes", "add --yes"),
        (["upgrade"], "no está instalado", "is not installed"),
    ],
)
def test_bad_arguments_and_missing_prerequisites_give_one_clear_line_and_install_nothing(
    tmp_path: Path, args: list[str], spanish: str, english: str
) -> None:
    for lang, expected in (("es_MX.UTF-8", spanish), ("en_US.UTF-8", english)):
        result = install_sh(args[0], "--root", tmp_path, *args[1:], lang=lang)
        assert result.returncode in (1, 2), result.stdout + result.stderr
        first = result.stderr.splitlines()[0]
        assert expected in first, result.stderr
        assert "Traceback" not in result.stderr
        assert list(tmp_path.iterdir()) == []


def test_a_failure_midway_removes_what_the_attempt_created(tmp_path: Path) -> None:
    wheel = tmp_path / "comandia-9.9.9-py3-none-any.whl"
    wheel.write_bytes(b"not a wheel")
    root = tmp_path / "root"
    root.mkdir()
    result = install_sh("install", "--root", root, "--wheel", wheel, "--database-url", "postgresql://x@127.0.0.1/y")
    assert result.returncode != 0
    assert 'falló en el paso "release"' in result.stderr
    assert list(root.iterdir()) == []


def test_shellcheck_finds_nothing_in_the_installer() -> None:
    scripts = [str(INSTALL_SH), str(REPO / "installer/comandia-admin.sh")]
    result = subprocess.run(["shellcheck", *scripts], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_status_says_what_is_installed_and_where(root: Path) -> None:
    result = install_sh("status", "--root", root, lang="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "version in use:  0.2.0" in result.stdout or "version in use:" in result.stdout
    assert str(root / "var/lib/comandia") in result.stdout


def test_uninstall_keeps_the_data_and_the_configuration(root: Path) -> None:
    """Last in the module: it removes the shared installation."""
    (root / "var/lib/comandia/keep-me").write_text("orders")
    result = install_sh("uninstall", "--root", root)
    assert result.returncode == 0, result.stderr
    assert "los datos siguen en" in result.stdout
    assert (root / "var/lib/comandia/keep-me").read_text() == "orders"
    assert (root / "etc/comandia/comandia.env").is_file()
    for gone in (
        "opt/comandia",
        "usr/bin/comandia-admin",
        "etc/systemd/system/comandia.service",
        "etc/nginx/sites-enabled/comandia.conf",
    ):
        assert not (root / gone).exists(), gone
    purge = install_sh("uninstall", "--root", root, "--purge", "--yes")
    assert purge.returncode == 0, purge.stderr
    assert not (root / "var/lib/comandia").exists()
    shutil.rmtree(root / "var", ignore_errors=True)
