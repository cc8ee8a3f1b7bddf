"""Every screen text exists in Spanish and English; formats follow the tenant; no server imports."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator, default_language
from comandia.console.i18n_catalog import CATALOG

CONSOLE = Path(__file__).resolve().parents[2] / "console"
KEY = re.compile(r"""\b(?:i18n|tr)\(\s*["']([a-z_0-9]+\.[a-z_0-9]+)["']""")


def test_every_text_used_by_the_console_is_in_both_languages() -> None:
    used = {key for path in CONSOLE.rglob("*.py") for key in KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 100
    assert sorted(used - set(CATALOG)) == []
    for key, (es, en) in CATALOG.items():
        assert es.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", es)) == set(re.findall(r"{(\w+)}", en)), key
    for status in ("new", "confirmed", "shipped", "completed", "cancelled"):
        assert f"status.{status}" in CATALOG


def test_language_defaults_from_the_system_locale() -> None:
    assert default_language("en_GB") == "en" and default_language("es_MX") == "es"
    assert default_language("pt_BR") == "es"
    assert Translator("en")("orders.new_arrived", count=3) == "3 new orders"
    assert Translator("es")("no.such_key") == "no.such_key"


def test_money_dates_and_numbers_follow_the_tenant() -> None:
    lima = TenantFormat("America/Lima", "PEN", "es")
    at = dt.datetime(2026, 3, 1, 3, 30, tzinfo=dt.UTC)
    assert lima.instant(at) == "28/02/2026 22:30"
    assert lima.money(Decimal("1234.5")) == "S/ 1.234,50"
    assert TenantFormat("Europe/Madrid", "EUR", "en").money(Decimal("12.5")) == "€12.50"
    assert TenantFormat(language="en").number(1234567) == "1,234,567"
    assert lima.number(1234567) == "1.234.567"


def test_the_console_never_imports_the_server_or_database_libraries() -> None:
    code = (
        "import sys, comandia.console.app, comandia.console.windows.pages; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'psycopg', 'falcon') "
        "or m.startswith('comandia.server')); print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
