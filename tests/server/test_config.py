"""ServerConfig: flags over the environment over the TOML file over defaults; secrets from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from comandia.server.config import load_config
from comandia.shared.domain.errors import ValidationFailed


def test_flags_win_over_the_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    file = tmp_path / "comandia.toml"
    file.write_text('[server]\nport = 9000\nthreads = 3\nhost = "10.0.0.5"\n', encoding="utf-8")
    config = load_config({"port": 9100}, env={"COMANDIA_PORT": "9200", "COMANDIA_THREADS": "5"}, config_file=file)
    assert (config.port, config.threads, config.host) == (9100, 5, "10.0.0.5")


def test_operator_secrets_come_from_the_environment_and_never_show_in_the_repr() -> None:
    config = load_config(
        env={
            "COMANDIA_ADMIN_PASSWORD": "admin-secret",
            "COMANDIA_USER_PASSWORD": "user-secret",
            "COMANDIA_NUMBER_ACCESS_TOKEN": "token-secret",
            "COMANDIA_NUMBER_API_KEY": "",
        }
    )
    assert (config.admin_password, config.user_password) == ("admin-secret", "user-secret")
    assert config.number_secrets == {"access_token": "token-secret"}  # an empty variable is no secret
    assert not {"admin-secret", "user-secret", "token-secret"} & set(repr(config).replace("'", " ").split())


def test_an_unknown_key_or_a_bad_value_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "comandia.toml"
    file.write_text("colour = 'blue'\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="unknown config key: colour"):
        load_config(env={}, config_file=file)
    with pytest.raises(ValidationFailed, match="port"):
        load_config(env={"COMANDIA_PORT": "eighty"})


def test_the_operator_reads_a_config_error_in_spanish_first_and_in_english_on_request(tmp_path: Path) -> None:
    file = tmp_path / "comandia.toml"
    file.write_text("colour = 'blue'\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as unknown:
        load_config(env={}, config_file=file)
    assert unknown.value.localized("es") == "clave de configuración desconocida: colour"
    with pytest.raises(ValidationFailed) as wrong:
        load_config(env={"COMANDIA_PORT": "eighty"})
    assert wrong.value.localized("es") == "port no válido: 'eighty' no es un número entero"
    assert wrong.value.localized("en") == "invalid port: 'eighty' is not a whole number"
    assert wrong.value.fields == {"port": "'eighty' is not a whole number"}
    with pytest.raises(ValidationFailed) as yes_no:
        load_config(env={"COMANDIA_JOBS_PROCESS": "quizás"})
    assert "no es sí o no" in yes_no.value.localized("es")
    file.write_text("port = \n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as broken:
        load_config(env={}, config_file=file)
    assert broken.value.localized("es").startswith(f"el archivo de configuración {file} no es TOML válido: ")
    with pytest.raises(ValidationFailed) as missing:
        load_config(env={}, config_file=tmp_path / "missing.toml")
    assert missing.value.localized("es").startswith("no se puede leer el archivo de configuración ")


def test_the_mail_server_comes_from_the_environment_or_the_file_as_one_setting(tmp_path: Path) -> None:
    file = tmp_path / "comandia.toml"
    file.write_text(
        '[mail]\nsmtp_host = "mail.example.com"\nsmtp_port = 465\nsmtp_timeout_seconds = 3\n', encoding="utf-8"
    )
    config = load_config(
        env={
            "COMANDIA_SMTP_TLS": "ssl",
            "COMANDIA_SMTP_PASSWORD": "smtp-secret",
            "COMANDIA_SMTP_FROM": "pedidos@example.com",
        },
        config_file=file,
    )
    smtp = config.smtp
    assert (smtp.host, smtp.port, smtp.tls, smtp.sender, smtp.timeout) == (
        "mail.example.com",
        465,
        "ssl",
        "pedidos@example.com",
        3.0,
    )
    assert smtp.password == "smtp-secret" and "smtp-secret" not in repr(config)
    assert load_config(env={}).smtp.host is None  # unset: e-mail alerts are recorded failed, with the reason
    with pytest.raises(ValidationFailed, match="smtp_port"):
        load_config(env={"COMANDIA_SMTP_PORT": "veinte"})


def test_a_yes_or_no_setting_reads_as_the_environment_and_toml_write_it(tmp_path: Path) -> None:
    file = tmp_path / "comandia.toml"
    file.write_text("jobs_process = false\n", encoding="utf-8")
    assert load_config(env={}, config_file=file).jobs_process is False
    assert load_config(env={"COMANDIA_JOBS_PROCESS": "true"}, config_file=file).jobs_process is True
    assert load_config(env={"COMANDIA_JOBS_PROCESS": " No "}).jobs_process is False
    assert load_config(env={}).jobs_process is True  # the default: requests and jobs in two processes
    with pytest.raises(ValidationFailed, match="jobs_process"):
        load_config(env={"COMANDIA_JOBS_PROCESS": "quizás"})


def test_media_and_backups_live_in_the_home_unless_a_shared_folder_is_named(tmp_path: Path) -> None:
    home = load_config(env={"COMANDIA_HOME": str(tmp_path / "home")})
    assert (home.media_dir, home.backup_dir) == (tmp_path / "home" / "media", tmp_path / "home" / "backups")
    shared = load_config(
        env={
            "COMANDIA_HOME": str(tmp_path / "home"),
            "COMANDIA_MEDIA_DIR": str(tmp_path / "nfs/m"),
            "COMANDIA_BACKUP_DIR": str(tmp_path / "nfs/b"),
        }
    )
    assert (shared.media_dir, shared.backup_dir) == (tmp_path / "nfs" / "m", tmp_path / "nfs" / "b")


def test_the_appliances_time_zone_is_the_hosts_unless_set(tmp_path: Path) -> None:
    from comandia.server.config import host_timezone

    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/America/Bogota")
    assert host_timezone({}, link) == "America/Bogota"
    assert host_timezone({"TZ": ":America/Santiago"}, link) == "America/Santiago"
    assert host_timezone({"TZ": "CST6"}, tmp_path / "none") == "UTC"  # neither names a place
    assert load_config(env={"COMANDIA_TIMEZONE": "America/Mexico_City"}).timezone == "America/Mexico_City"
    with pytest.raises(ValidationFailed) as wrong:
        load_config(env={"COMANDIA_TIMEZONE": "Mexico"})
    assert wrong.value.localized("es") == "timezone no válido: 'Mexico' no es una zona horaria como America/Mexico_City"
