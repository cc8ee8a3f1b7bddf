"""comandia-admin: scriptable output, exit codes 0/1/2, one-line errors, nothing half-done."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from comandia.provisioning.cli import main
from comandia.server.config import ServerConfig
from comandia.server.wiring import Runtime

Admin = Callable[..., tuple[int, str, str]]


@pytest.fixture
def admin(
    config: ServerConfig, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Admin]:
    """Run comandia-admin in-process against the test appliance; returns (code, stdout, stderr)."""
    monkeypatch.setenv("COMANDIA_HOME", str(config.home))
    monkeypatch.setenv("COMANDIA_DATABASE_URL", config.database_url or "")
    monkeypatch.setenv("COMANDIA_DB_PREFIX", config.db_prefix)
    monkeypatch.setenv("COMANDIA_SECRET_KEY", config.secret_key or "")
    monkeypatch.setenv("COMANDIA_LANGUAGE", "es")  # what a Spanish-speaking operator reads, whatever LANG is here

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run


def test_init_is_idempotent_and_takes_the_password_from_the_environment(
    admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMANDIA_ADMIN_PASSWORD", "correct horse battery")
    code, out, _ = admin("init", "--admin-user", "root-admin", "--json")
    assert code == 0 and json.loads(out)["admin"]["role"] == "superadmin"
    code, out, _ = admin("init", "--admin-user", "root-admin", "--json")
    assert code == 0 and json.loads(out)["created"] is False


def test_tenant_create_prints_the_id_and_json_has_id_and_database(admin: Admin) -> None:
    code, out, _ = admin("tenant", "create", "Cevichería Lima", "--timezone", "America/Lima", "--currency", "PEN")
    assert code == 0
    tenant_id = out.strip()
    code, out, _ = admin("--json", "tenant", "show", tenant_id)
    shown = json.loads(out)
    assert code == 0 and shown["id"] == tenant_id and shown["database"].endswith(tenant_id)
    code, out, _ = admin("tenant", "create", "Arepas Caracas", "--json")
    created = json.loads(out)
    assert code == 0 and {"id", "database"} <= created.keys()
    code, out, _ = admin("tenant", "list", "--json")
    assert {tenant_id, created["id"]} <= {t["id"] for t in json.loads(out)}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {"country_locale": "es_MX", "currency": "MXN", "timezone": "America/Mexico_City", "locale": "es"}),
        (
            ["--locale", "es_AR"],
            {
                "country_locale": "es_AR",
                "currency": "ARS",
                "timezone": "America/Argentina/Buenos_Aires",
                "locale": "es",
            },
        ),
        (["--locale", "es-co"], {"country_locale": "es_CO", "currency": "COP", "timezone": "America/Bogota"}),
        (
            ["--locale", "en_US", "--timezone", "America/Chicago"],
            {"country_locale": "en_US", "currency": "USD", "timezone": "America/Chicago", "locale": "en"},
        ),
        (["--timezone", "America/Santiago", "--currency", "CLP"], {"country_locale": "es_CL", "locale": "es"}),
        (
            ["--locale", "en", "--timezone", "Europe/Madrid", "--currency", "EUR"],
            {"country_locale": "es_ES", "locale": "en"},
        ),  # a bare language: the bot's; the country from the zone
    ],
)
def test_a_tenant_gets_a_full_locale_at_creation(admin: Admin, argv: list[str], expected: dict[str, str]) -> None:
    code, out, err = admin("--json", "tenant", "create", f"Locale {len(argv)} {'-'.join(argv)}"[:60], *argv)
    assert code == 0, err
    assert expected.items() <= json.loads(out).items()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tenant", "create", "Bad Zone", "--timezone", "Nowhere/Land"], "zona horaria"),
        (["tenant", "create", "Bad Money", "--currency", "ABC"], "moneda"),
        (["tenant", "create", "Crêperie", "--locale", "fr"], "locale"),
        (["tenant", "create", "Crêperie", "--locale", "pt_BR"], "locale"),
        (["tenant", "create", "   "], "vacío"),
        (["tenant", "create", "On Mars", "--server", "mars"], "no está registrado"),
        (["tenant", "show", "tdoesnotexist"], "no existe"),
        (["tenant", "show", "../../etc"], "no existe"),
        (["tenant", "deactivate", "t000000000000"], "no existe"),
        (["tenant", "delete", "t000000000000", "--yes"], "no existe"),
        (["server", "add", "ghost", "postgresql://nobody@127.0.0.1:1/x"], "no se puede contactar al servidor"),
        (["server", "add", "bad name!", "postgresql://x@127.0.0.1/x"], "nombre del servidor"),
        (["server", "add", "badurl", "not a url"], "URL"),
        (["server", "pooler", "main", "postgresql://comandia:secret@127.0.0.1:6432"], "pooler se escribe"),
        (["server", "pooler", "mars", "postgresql://127.0.0.1:6432"], "no está registrado"),
        (["user", "create", "manuel", "--role", "manager"], "tenant"),
        (["user", "create", "solo", "--role", "superadmin", "--tenant", "t000000000000"], "tenant"),
        (["user", "create", "m2", "--role", "manager", "--tenant", "t000000000000"], "no existe"),
        (["user", "create", "x"], "username"),
        (["user", "disable", "nobody-here"], "no existe"),
    ],
)
def test_bad_input_fails_with_one_clear_line_and_exit_code_1(
    admin: Admin, monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str
) -> None:
    monkeypatch.setenv("COMANDIA_USER_PASSWORD", "a good password")
    code, out, err = admin(*argv)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["tenant"],
        ["tenant", "create"],
        ["init"],
        ["user", "create", "u", "--role", "king"],
        ["server", "pooler", "main"],
        ["server", "pooler", "main", "postgresql://127.0.0.1:6432", "--direct"],
    ],
)
def test_bad_usage_exits_2(admin: Admin, argv: list[str]) -> None:
    code, _, err = admin(*argv)
    assert code == 2 and "uso:" in err and "usage:" not in err


def test_a_duplicate_name_fails_and_creates_nothing(admin: Admin) -> None:
    assert admin("tenant", "create", "Empanadas Salta")[0] == 0
    _, before, _ = admin("tenant", "list", "--json")
    code, _, err = admin("tenant", "create", "EMPANADAS  salta")
    assert code == 1 and "ya existe un negocio llamado" in err
    assert admin("tenant", "list", "--json")[1] == before


def test_users_are_scoped_and_can_be_disabled(admin: Admin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMANDIA_USER_PASSWORD", "a good password")
    tenant_id = admin("tenant", "create", "Pollos Quito")[1].strip()
    code, out, _ = admin("--json", "user", "create", "gerente.quito", "--role", "manager", "--tenant", tenant_id)
    assert code == 0 and json.loads(out)["tenant_id"] == tenant_id
    code, out, _ = admin("--json", "user", "disable", "gerente.quito")
    assert code == 0 and json.loads(out)["disabled"] is True
    code, out, _ = admin("--json", "user", "list", "--tenant", tenant_id)
    assert [u["username"] for u in json.loads(out)] == ["gerente.quito"]
    code, _, err = admin("user", "create", "GERENTE.quito", "--role", "manager", "--tenant", tenant_id)
    assert code == 1 and "ya existe" in err
    monkeypatch.setenv("COMANDIA_USER_PASSWORD", "short")
    code, _, err = admin("user", "create", "otro", "--role", "manager", "--tenant", tenant_id)
    assert code == 1 and "al menos 8" in err


def test_delete_needs_confirmation_and_keeps_a_final_dump(admin: Admin, config: ServerConfig) -> None:
    tenant_id = admin("tenant", "create", "Cierra Pronto")[1].strip()
    code, _, err = admin("tenant", "delete", tenant_id)  # stdin is not a terminal under pytest
    assert code == 1 and "--yes" in err
    assert admin("tenant", "show", tenant_id)[0] == 0
    code, out, _ = admin("--json", "tenant", "delete", tenant_id, "--yes")
    result = json.loads(out)
    assert code == 0 and result["deleted"] is True
    final = Path(result["final_backup"])
    assert (final / "manifest.json").is_file() and final.is_relative_to(config.home)
    assert admin("tenant", "show", tenant_id)[0] == 1


def test_deactivate_then_reactivate(admin: Admin) -> None:
    tenant_id = admin("tenant", "create", "Dormida")[1].strip()
    code, out, _ = admin("--json", "tenant", "deactivate", tenant_id)
    assert code == 0 and json.loads(out)["state"] == "inactive"
    code, _, err = admin("tenant", "deactivate", tenant_id)
    assert code == 1 and "ya está inactivo" in err
    code, out, _ = admin("--json", "tenant", "reactivate", tenant_id)
    assert code == 0 and json.loads(out)["state"] == "active"


def test_tenant_settings_show_change_and_refuse_bad_texts(admin: Admin) -> None:
    tenant_id = admin("tenant", "create", "Tacos Don Beto")[1].strip()
    code, out, _ = admin("--json", "tenant", "settings", tenant_id)
    shown = json.loads(out)
    assert code == 0 and (shown["locale"], shown["delivery_fee"], shown["texts"]) == ("es", "0.00", {})
    assert shown["opening_hours"] is None and shown["orders_paused"] is False and shown["handoff_idle_minutes"] == 30
    code, out, _ = admin(
        "--json",
        "tenant",
        "settings",
        tenant_id,
        "--delivery-fee",
        "30",
        "--locale",
        "en",
        "--text",
        "welcome=Hi! This is {business}.",
    )
    shown = json.loads(out)
    assert code == 0 and (shown["locale"], shown["delivery_fee"], shown["texts"]) == (
        "en",
        "30.00",
        {"welcome": "Hi! This is {business}."},
    )
    code, _, err = admin("tenant", "settings", tenant_id, "--text", "welcome=Hi {customer}")
    assert code == 1 and "usa campos desconocidos" in err
    assert admin("tenant", "settings", tenant_id, "--text", "welcome")[0] == 2
    code, out, _ = admin("--json", "tenant", "settings", tenant_id, "--reset-text", "welcome")
    assert code == 0 and json.loads(out)["texts"] == {}


def test_tenant_settings_set_any_key_pause_and_resume(admin: Admin) -> None:
    tenant_id = admin("tenant", "create", "Pollos Doña Rosa")[1].strip()
    code, out, _ = admin(
        "--json",
        "tenant",
        "settings",
        tenant_id,
        "--set",
        'opening_hours={"mon": [["09:00", "22:00"]]}',
        "--set",
        "fulfilment=both",
        "--set",
        "pickup_address=Av. Juárez 12, Centro",
        "--set",
        "minimum_order=150",
    )
    shown = json.loads(out)
    assert code == 0 and shown["opening_hours"]["mon"] == [["09:00", "22:00"]] and shown["opening_hours"]["tue"] == []
    assert (shown["fulfilment"], shown["pickup_address"], shown["minimum_order"]) == (
        "both",
        "Av. Juárez 12, Centro",
        "150",
    )
    code, _, err = admin("tenant", "settings", tenant_id, "--set", 'opening_hours={"mon": [["09:00", "09:00"]]}')
    assert code == 1 and "opening_hours.mon[0]" in err
    code, _, err = admin("tenant", "settings", tenant_id, "--set", "fulfilment=pickup", "--set", "pickup_address=")
    assert code == 1 and "pickup_address" in err
    assert admin("tenant", "settings", tenant_id, "--set", "fulfilment")[0] == 2
    code, out, _ = admin("--json", "tenant", "pause", tenant_id, "--message", "Cocina llena, volvemos en 20 min")
    assert code == 0 and json.loads(out)["orders_paused"] is True
    assert json.loads(out)["paused_message"] == "Cocina llena, volvemos en 20 min"
    code, out, _ = admin("--json", "tenant", "resume", tenant_id)
    assert code == 0 and json.loads(out)["orders_paused"] is False


EVERY_RULE = {
    "opening_hours": {"mon": [["09:00", "14:00"], ["18:00", "23:00"]], "sat": [["20:00", "02:00"]]},
    "closed_days": ["2026-12-25", "2026-01-01"],
    "orders_paused": True,
    "paused_message": "Volvemos en 20 minutos",
    "after_hours": "menu_only",
    "fulfilment": "both",
    "pickup_address": "Av. Juárez 12, Centro",
    "business_location": {"latitude": 19.43, "longitude": -99.13},
    "delivery_zones": [
        {"name": "Roma", "cities": ["Roma Norte"], "fee": "30.00", "minimum_order": "100", "eta_minutes": 40},
        {"name": "Cerca", "radius_km": 3.5, "fee": "20"},
    ],
    "minimum_order": "150",
    "eta_minutes": 45,
    "payment_methods": [
        {"kind": "cash"},
        {"kind": "transfer", "details": "CLABE 0123"},
        {"kind": "link", "details": "https://pago.example/x"},
        {"kind": "card_on_delivery"},
    ],
    "order_alerts": ["+52 55 1234 5678", "Cocina@Example.com"],
    "faq": [{"question": "¿Tienen estacionamiento?", "answer": "Sí, enfrente."}],
    "customer_cancel_minutes": 10,
    "handoff_idle_minutes": 45,
    "handoff_template": "respuesta_gerente",
    "handoff_template_language": "es_MX",
    "media_retention_days": 30,
}


def test_tenant_settings_sets_every_rule_key(admin: Admin) -> None:
    """`--set` reaches every rule key of the API (a key added to `BusinessRules` must be listed here)."""
    from comandia.shared.schemas.rules import RULE_KEYS

    assert set(EVERY_RULE) == set(RULE_KEYS)
    tenant_id = admin("tenant", "create", "Todo Configurado")[1].strip()
    sets = [
        arg for key, value in EVERY_RULE.items() for arg in ("--set", f"{key}={json.dumps(value, ensure_ascii=False)}")
    ]
    code, out, err = admin("--json", "tenant", "settings", tenant_id, *sets)
    assert code == 0, err
    shown = json.loads(admin("--json", "tenant", "settings", tenant_id)[1])
    assert shown["opening_hours"]["mon"] == EVERY_RULE["opening_hours"]["mon"]  # type: ignore[index]
    assert shown["opening_hours"]["sat"] == [["20:00", "02:00"]] and shown["opening_hours"]["sun"] == []
    assert shown["closed_days"] == ["2026-01-01", "2026-12-25"]
    assert shown["delivery_zones"][0] == {
        "name": "Roma",
        "fee": "30.00",
        "cities": ["Roma Norte"],
        "radius_km": None,
        "minimum_order": "100",
        "eta_minutes": 40,
    }
    assert shown["delivery_zones"][1]["radius_km"] == 3.5 and shown["delivery_zones"][1]["minimum_order"] == "0"
    assert shown["order_alerts"] == ["+525512345678", "cocina@example.com"]
    assert [m["kind"] for m in shown["payment_methods"]] == ["cash", "transfer", "link", "card_on_delivery"]
    for key in (
        "orders_paused",
        "paused_message",
        "after_hours",
        "fulfilment",
        "pickup_address",
        "business_location",
        "minimum_order",
        "eta_minutes",
        "faq",
        "customer_cancel_minutes",
        "handoff_idle_minutes",
        "handoff_template",
        "handoff_template_language",
        "media_retention_days",
    ):
        assert shown[key] == EVERY_RULE[key], key
    code, out, _ = admin("tenant", "settings", tenant_id)  # the table names every key too
    assert code == 0 and all(key in out for key in RULE_KEYS)
    code, _, err = admin(
        "tenant", "settings", tenant_id, "--set", 'delivery_zones=[{"name": "Roma", "cities": ["Roma"], "fee": "-5"}]'
    )
    assert code == 1 and "delivery_zones[0].fee" in err


def test_commands_refuse_to_run_before_init(
    tmp_path: Path, config: ServerConfig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMANDIA_HOME", str(tmp_path))
    monkeypatch.setenv("COMANDIA_DATABASE_URL", config.database_url or "")
    monkeypatch.setenv("COMANDIA_DB_PREFIX", config.db_prefix + "_fresh")
    assert main(["tenant", "list"]) == 1
    assert "comandia-admin init" in capsys.readouterr().err


def test_user_unlock_forgets_the_failed_attempts(admin: Admin, runtime: Runtime) -> None:
    from comandia.server.services.auth.throttle import MAX_FAILURES
    from comandia.shared.domain.errors import TooManyRequests, Unauthorized

    runtime.users.create("gerente.unlock", "correct horse battery", "superadmin", None, actor="tests")
    for n in range(MAX_FAILURES):
        with pytest.raises(Unauthorized):
            runtime.services.auth.login("gerente.unlock", "wrong password", f"192.0.2.{n + 40}")
    with pytest.raises(TooManyRequests):
        runtime.services.auth.login("gerente.unlock", "correct horse battery", "192.0.2.60")
    code, out, _ = admin("--json", "user", "unlock", "gerente.unlock")
    assert code == 0 and json.loads(out)["failures_cleared"] >= MAX_FAILURES
    # The command ran on a runtime of its own, like another process: this one's memo of the
    # database's refusals lasts at most 5 s more (tests/attacks/test_password_throttling.py).
    runtime.services.auth.forget_refusals()
    assert runtime.services.auth.login("gerente.unlock", "correct horse battery", "192.0.2.61").token
    assert admin("user", "unlock", "nobody-here")[0] == 1


def test_the_command_line_speaks_spanish_first_and_english_on_request(
    admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = admin("tenant", "list")
    assert code == 0 and "NOMBRE" in out and "ESTADO" in out
    code, _, err = admin("tenant", "show", "t000000000000")
    assert code == 1 and err.strip() == "error: el negocio t000000000000 no existe"
    monkeypatch.setenv("COMANDIA_LANGUAGE", "en")
    code, out, _ = admin("tenant", "list")
    assert code == 0 and "NAME" in out and "STATE" in out
    code, _, err = admin("tenant", "show", "t000000000000")
    assert err.strip() == "error: tenant t000000000000 does not exist"


def test_the_help_is_spanish_too(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from comandia.provisioning.cli import main as run

    monkeypatch.setenv("COMANDIA_LANGUAGE", "es")
    with pytest.raises(SystemExit):
        run(["tenant", "create", "--help"])
    text = capsys.readouterr().out
    assert "zona horaria IANA" in text and "el país como configuración regional completa" in text
    assert "--timezone ZONA_HORARIA" in text and "--server SERVIDOR" in text and "TIMEZONE" not in text
    assert "\n  nombre\n" in text  # the positional's value name too (its destination stays `name`)


ARGPARSE_ENGLISH = (
    "usage:",
    "positional arguments",
    "options:",
    "show this help message",
    "required:",
    "invalid choice",
    "unrecognized arguments",
    "expected one argument",
)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["tenant", "--help"],
        ["backup", "verify", "--help"],
        ["tenant", "create"],
        ["frobnicate"],
        ["user", "create", "u", "--role", "king"],
        ["tenant", "list", "--bogus"],
        ["tenant", "create", "--locale"],
    ],
)
def test_help_and_usage_errors_are_spanish_down_to_argparses_own_words(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from comandia.provisioning.cli import main as run

    monkeypatch.setenv("COMANDIA_LANGUAGE", "es")
    with pytest.raises(SystemExit):
        run(argv)
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert said.startswith("uso: ")
    assert not [english for english in ARGPARSE_ENGLISH if english in said], said
    assert "opciones:" in said or "error: " in said


def test_argparse_speaks_english_with_an_english_locale_and_is_left_as_it_was(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    from comandia.provisioning.cli import main as run

    for name in ("COMANDIA_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    with pytest.raises(SystemExit):
        run(["tenant", "create"])
    said = capsys.readouterr().err
    assert said.startswith("usage: ") and "the following arguments are required: name" in said
    monkeypatch.setenv("COMANDIA_LANGUAGE", "es")
    with pytest.raises(SystemExit):
        run(["tenant", "create"])
    assert "faltan estos argumentos obligatorios: nombre" in capsys.readouterr().err
    assert "usage: " in argparse.ArgumentParser(prog="other").format_usage()  # others' parsers untouched


def test_a_server_s_pooler_is_set_listed_and_removed(admin: Admin, config: ServerConfig, runtime: Runtime) -> None:
    name = f"pooled-{config.db_prefix}"  # the primary server again, under a name of its own, with no tenants
    runtime.servers.add(name, config.database_url or "", actor="tests")
    runtime.servers.set_accepting(name, False, actor="tests")
    code, out, _ = admin("--json", "server", "pooler", name, "postgresql://127.0.0.1")
    assert code == 0 and json.loads(out)["pooler_url"] == "postgresql://127.0.0.1:6432"  # PgBouncer's port
    code, out, _ = admin("server", "list")
    assert code == 0 and "postgresql://127.0.0.1:6432" in out and "POOLER" in out
    code, out, _ = admin("server", "pooler", name, "--direct")
    assert code == 0 and "directamente" in out
    assert next(s for s in runtime.servers.list() if s.name == name).pooler_url is None


def test_number_test_and_list_speak_the_operators_language(admin: Admin) -> None:
    code, tenant_id, _ = admin("tenant", "create", "Tamales Oaxaca")
    code, out, _ = admin(
        "--json", "number", "add", tenant_id.strip(), "--provider", "sandbox", "--number", "+15550009931"
    )
    assert code == 0, out
    number_id = str(json.loads(out)["id"])
    code, out, _ = admin("number", "test", number_id)
    assert (code, out.strip()) == (0, "bien número de prueba: los mensajes se guardan en memoria, no se envían")
    assert admin("number", "pause", number_id)[0] == 0
    code, out, _ = admin("number", "list", tenant_id.strip())
    assert code == 0 and "en pausa (pausado por un operador)" in out and "paused" not in out
    # the control database is shared with later tests (tests/server/providers add their own numbers)
    assert admin("number", "remove", number_id, "--yes")[0] == 0
