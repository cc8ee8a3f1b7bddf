"""One frozen ServerConfig: the only module that reads os.environ or config files.

Precedence, highest first: command-line flags, environment variables, the TOML file
(`COMANDIA_CONFIG` or `--config`), built-in defaults.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.times import is_timezone
from comandia.shared.i18n import N_, Language, environment_language

DEFAULT_PREFIX = "comandia"


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server that sends new-order alerts to the e-mail addresses of a tenant's
    `order_alerts` (`providers/mail.py` speaks to it); `host` None: e-mail alerts are recorded
    as failed with the reason (never dropped)."""

    host: str | None = None
    port: int = 587
    tls: str = "starttls"
    """"starttls" (upgrade a plain connection, port 587), "ssl" (TLS from the start, port 465) or
    "none" (a relay on the same host or network only: credentials and tickets travel in clear)."""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "comandia@localhost"
    timeout: float = 10.0
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)
    """None: the system's trusted CAs (tests pass a context that trusts their own certificate)."""


_SMTP_KEYS = {
    "smtp_host": "host",
    "smtp_port": "port",
    "smtp_tls": "tls",
    "smtp_user": "user",
    "smtp_password": "password",
    "smtp_from": "sender",
    "smtp_timeout_seconds": "timeout",
}
"""The flat names (environment after COMANDIA_, the file's keys) of the `SmtpSettings` fields."""
_SMTP_KINDS = {key: next(f.type for f in fields(SmtpSettings) if f.name == name) for key, name in _SMTP_KEYS.items()}


@dataclass(frozen=True)
class ServerConfig:
    """Everything the server and the admin tool need to know about their environment."""

    home: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("comandia")))
    # None means: start the embedded PostgreSQL in `home/pgdata`.
    database_url: str | None = None
    # A PgBouncer in transaction mode in front of the server of `database_url` ("postgresql://host:port"):
    # tenants on that server are reached through it, with prepared statements off. The control
    # database stays direct (it holds advisory locks and LISTENs). docs/scaling.md.
    tenant_pooler_url: str | None = None
    # Every database and role COMANDIA creates starts with this prefix, so one PostgreSQL
    # server can hold several appliances (and test runs) side by side.
    db_prefix: str = DEFAULT_PREFIX
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    # Request threads. 16 acknowledged more than 8 with one request process on a loaded machine,
    # but on a quiet one two request processes of 16 did 1,282 webhooks/s (p99 102 ms) against
    # 1,402/s (p99 68 ms) with 8: the extra threads only contend for the two cores (docs/scaling.md).
    threads: int = 8
    # Server processes on this host (`--workers`), sharing one listening socket; each has
    # `threads` request threads and a share of `connection_budget` (processes.budget_shares).
    workers: int = 1
    # The background jobs (journal drain, bot, sender, backups) run in one process of their own
    # and the `workers` only serve requests: on 2 cores that acknowledges 1.6x the webhooks of one
    # process doing everything (docs/scaling.md). False (`--single-process`) runs everything in
    # the one process, for the tests and tiny installs (docs/architecture.md, "Several processes").
    jobs_process: bool = True
    # Threads that turn inbound WhatsApp messages into replies; each works on one tenant at a time.
    inbox_workers: int = 3
    # Server connections COMANDIA may hold in total, control DB and every tenant together.
    connection_budget: int = 40
    tenant_pool_size: int = 4
    engine_cache_size: int = 200
    idle_pool_seconds: float = 60.0
    budget_wait_seconds: float = 2.0
    connect_timeout_seconds: int = 5
    statement_timeout_ms: int = 15_000
    # Webhooks and /readyz answer 503 (the provider retries) when their database work takes longer
    # than this, whatever the database does: slow, unreachable, or silent on an open connection.
    database_deadline_seconds: float = 1.5
    # "journal": a webhook is acknowledged once kept in the control database's ingest journal,
    # delivered to its tenant's database within a second; "direct": once in the tenant's database
    # (docs/architecture.md, "The webhook's path").
    ingest: str = "journal"
    max_body_bytes: int = 1024 * 1024
    # Meta sends batches of up to 1,000 updates, about 3 MB.
    webhook_max_body_bytes: int = 3 * 1024 * 1024
    token_ttl_hours: int = 12
    # A WhatsApp conversation idle this long starts over at the greeting.
    chat_idle_minutes: int = 60
    # Provider API endpoints; the tests point them at a stand-in server on loopback.
    whatsapp_meta_base: str = "https://graph.facebook.com"
    whatsapp_meta_version: str = "v21.0"
    whatsapp_360dialog_base: str = "https://waba-v2.360dialog.io"
    whatsapp_twilio_base: str = "https://api.twilio.com"
    whatsapp_timeout_seconds: float = 10.0
    # Files customers send: at most this many bytes each (WhatsApp allows 16 MB for audio and
    # video), downloaded within this many seconds, kept in `media_dir` (one folder per tenant).
    media_max_bytes: int = 16 * 1024 * 1024
    media_deadline_seconds: float = 60.0
    # Where customers' files and the backups are kept; None: `home/media` and `home/backups`. With
    # processes on several hosts both must be one shared folder (NFS): a file downloaded, or a
    # backup taken, by one host is read by another's (docs/scaling.md).
    media_folder: Path | None = None
    backup_folder: Path | None = None
    # The SMTP server that sends new-order alerts (COMANDIA_SMTP_*, or smtp_* keys in the file).
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    log_level: str = "INFO"
    # The appliance's own time zone (IANA name): the superadmin's pages that span every tenant (the
    # audit log) show times and take days in it. `load_config` defaults it to the host's zone.
    timezone: str = "UTC"
    public_url: str | None = None
    # The reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the client;
    # from any other peer the header is ignored (it would let a caller escape per-address limits).
    trusted_proxies: tuple[str, ...] = ()
    # Daily backup inside the server at this local time ("03:00"); None leaves it to the systemd timer.
    backup_time: str | None = None
    backup_keep_daily: int = 14
    backup_keep_weekly: int = 8
    backup_key_file: Path | None = None
    # Secrets an operator hands over through the environment, so that they stay out of shell
    # history and `ps`: the first superadmin's password (`init`, the server's first run), a new
    # user's (`user create`) and a new number's credentials (`number add`, by field name).
    admin_password: str | None = field(default=None, repr=False)
    user_password: str | None = field(default=None, repr=False)
    number_secrets: Mapping[str, str] = field(default_factory=dict, repr=False, hash=False)

    @property
    def control_database(self) -> str:
        return f"{self.db_prefix}_control"

    @property
    def secret_key_file(self) -> Path:
        return self.home / "secret.key"

    @property
    def first_password_file(self) -> Path:
        """Where the first run keeps the generated password of `admin` (0600; removed once changed)."""
        return self.home / "initial-admin-password"

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def backup_dir(self) -> Path:
        return self.backup_folder or self.home / "backups"

    @property
    def media_dir(self) -> Path:
        return self.media_folder or self.home / "media"


_ENV = {
    "COMANDIA_HOME": "home",
    "COMANDIA_DATABASE_URL": "database_url",
    "COMANDIA_TENANT_POOLER_URL": "tenant_pooler_url",
    "COMANDIA_DB_PREFIX": "db_prefix",
    "COMANDIA_SECRET_KEY": "secret_key",
    "COMANDIA_HOST": "host",
    "COMANDIA_PORT": "port",
    "COMANDIA_THREADS": "threads",
    "COMANDIA_WORKERS": "workers",
    "COMANDIA_JOBS_PROCESS": "jobs_process",
    "COMANDIA_INBOX_WORKERS": "inbox_workers",
    "COMANDIA_CONNECTION_BUDGET": "connection_budget",
    "COMANDIA_INGEST": "ingest",
    "COMANDIA_LOG_LEVEL": "log_level",
    "COMANDIA_TIMEZONE": "timezone",
    "COMANDIA_PUBLIC_URL": "public_url",
    "COMANDIA_TRUSTED_PROXIES": "trusted_proxies",
    "COMANDIA_BACKUP_TIME": "backup_time",
    "COMANDIA_BACKUP_KEY_FILE": "backup_key_file",
    "COMANDIA_WHATSAPP_META_BASE": "whatsapp_meta_base",
    "COMANDIA_WHATSAPP_360DIALOG_BASE": "whatsapp_360dialog_base",
    "COMANDIA_WHATSAPP_TWILIO_BASE": "whatsapp_twilio_base",
    "COMANDIA_MEDIA_MAX_BYTES": "media_max_bytes",
    "COMANDIA_MEDIA_DIR": "media_folder",
    "COMANDIA_BACKUP_DIR": "backup_folder",
    "COMANDIA_ADMIN_PASSWORD": "admin_password",
    "COMANDIA_USER_PASSWORD": "user_password",
    "COMANDIA_SMTP_HOST": "smtp_host",
    "COMANDIA_SMTP_PORT": "smtp_port",
    "COMANDIA_SMTP_TLS": "smtp_tls",
    "COMANDIA_SMTP_USER": "smtp_user",
    "COMANDIA_SMTP_PASSWORD": "smtp_password",
    "COMANDIA_SMTP_FROM": "smtp_from",
}
_NUMBER_SECRETS = {  # `number add` credentials, by the field of `NewNumber` they fill
    "COMANDIA_NUMBER_ACCESS_TOKEN": "access_token",
    "COMANDIA_NUMBER_APP_SECRET": "app_secret",
    "COMANDIA_NUMBER_API_KEY": "api_key",
    "COMANDIA_NUMBER_AUTH_TOKEN": "auth_token",
}


def load_config(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> ServerConfig:
    """Build the config from defaults, the TOML file, the environment and `overrides` (flags).

    Raises:
        ValidationFailed: an unreadable or malformed file, an unknown key, or a value of the wrong
            type; its text is the operator's to read, Spanish first (`localized`), the key as field.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_file or (Path(env["COMANDIA_CONFIG"]) if env.get("COMANDIA_CONFIG") else None)
    if path is not None:
        values.update(_read_toml(path))
    for variable, name in _ENV.items():
        if env.get(variable):
            values[name] = env[variable]
    secrets = {name: env[variable] for variable, name in _NUMBER_SECRETS.items() if env.get(variable)}
    if secrets:
        values["number_secrets"] = secrets
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    values.setdefault("timezone", host_timezone(env))
    if not is_timezone(str(values["timezone"])):
        raise ValidationFailed.of_field("timezone", _NOT_A_ZONE, value=repr(values["timezone"]))
    smtp = _coerce({key: values.pop(key) for key in list(values) if key in _SMTP_KEYS}, _SMTP_KINDS)
    config = replace(ServerConfig(), **_coerce(values, {f.name: f.type for f in fields(ServerConfig)}))
    if not smtp:
        return config
    return replace(config, smtp=SmtpSettings(**{_SMTP_KEYS[key]: value for key, value in smtp.items()}))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ValidationFailed(
            "cannot read the config file {path}: {reason}",
            {"config": N_("unreadable")},
            path=str(path),
            reason=error.strerror or str(error),
        ) from error
    except tomllib.TOMLDecodeError as error:
        # tomllib's own words (line and column) stay in English: they name the place to look at.
        raise ValidationFailed(
            "the config file {path} is not valid TOML: {reason}",
            {"config": N_("not TOML")},
            path=str(path),
            reason=str(error),
        ) from error
    flat: dict[str, Any] = {}
    for section in document.values():
        if isinstance(section, dict):
            flat.update(section)
    flat.update({k: v for k, v in document.items() if not isinstance(v, dict)})
    return flat


_WRONG_VALUE = {
    "Path": N_("{value} is not a folder path"),
    "Path | None": N_("{value} is not a folder path"),
    "int": N_("{value} is not a whole number"),
    "float": N_("{value} is not a number"),
    "tuple[str, ...]": N_("{value} is not a list of IP addresses or networks (CIDR), separated by commas"),
    "bool": N_("{value} is not yes or no (true/false, 1/0, yes/no, on/off)"),
}
"""What a value of each kind must be, as `_coerce` tells the operator (the catalog translates it)."""


def _coerce(values: Mapping[str, Any], kinds: Mapping[str, Any]) -> dict[str, Any]:
    """`values` converted to the types `kinds` names (a key's annotation, by key).

    Raises:
        ValidationFailed: an unknown key, or a value that is not of its key's kind (field: the key).
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in kinds:
            raise ValidationFailed("unknown config key: {name}", {name: N_("unknown")}, name=name)
        kind = str(kinds[name])
        try:
            if kind in ("Path", "Path | None"):
                out[name] = Path(value).expanduser()
            elif kind == "int":
                out[name] = int(value)
            elif kind == "float":
                out[name] = float(value)
            elif kind == "tuple[str, ...]":
                out[name] = _address_list(value)
            elif kind == "bool":
                out[name] = _flag(value)
            else:
                out[name] = value
        except (TypeError, ValueError) as error:
            raise ValidationFailed.of_field(name, _WRONG_VALUE[kind], value=repr(value)) from error
    return out


_NOT_A_ZONE = N_("{value} is not a time zone such as America/Mexico_City")


def host_timezone(env: Mapping[str, str], localtime: Path = Path("/etc/localtime")) -> str:
    """The IANA name of this host's time zone: `TZ` when it names one, else the zone `localtime`
    links to (how Debian and systemd keep it), else UTC."""
    candidates = [env.get("TZ", "").removeprefix(":")]
    with contextlib.suppress(OSError):  # no such file, a link loop: fall back to UTC
        candidates.append(str(localtime.resolve()).partition("/zoneinfo/")[2])
    return next((name for name in candidates if name and is_timezone(name)), "UTC")


def reader_language(env: Mapping[str, str] | None = None) -> Language:
    """The language comandia-admin speaks to the person at the terminal (``es`` unless the
    environment asks for English: see `shared.i18n.environment_language`)."""
    return environment_language(os.environ if env is None else env)


def _flag(value: Any) -> bool:
    """A TOML boolean, or what the environment writes for one (true/false, 1/0, yes/no, on/off)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _address_list(value: Any) -> tuple[str, ...]:
    """A comma-separated list (the environment) or a list (TOML) of addresses or CIDR networks.

    Raises:
        ValueError: an entry that is neither.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    networks = tuple(str(ipaddress.ip_network(str(item).strip(), strict=False)) for item in items if str(item).strip())
    return networks
