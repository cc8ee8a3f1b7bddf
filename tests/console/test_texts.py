"""Every screen text exists in Spanish and English; formats follow the tenant; no server imports."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator, both_languages, default_language

CATALOG = both_languages()

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
    """Money and numbers as the tenant's country writes them, whatever the console's language."""
    lima = TenantFormat("America/Lima", "PEN", "es", "es_PE")
    at = dt.datetime(2026, 3, 1, 3, 30, tzinfo=dt.UTC)
    assert lima.instant(at) == "28/2/2026 10:30\u202fp.\u202fm."  # the evening before, in Lima
    assert lima.money(Decimal("1234.5")) == "S/\u00a01,234.50"
    assert lima.number(1234567) == "1,234,567"
    madrid_in_english = TenantFormat("Europe/Madrid", "EUR", "en", "es_ES")
    assert madrid_in_english.money(Decimal("1234.5")) == "1.234,50\u00a0€"
    assert madrid_in_english.day(dt.date(2026, 3, 1)) == "3/1/2026"  # dates in the reader's language
    buenos_aires = TenantFormat("America/Argentina/Buenos_Aires", "ARS", "es", "es_AR")
    assert buenos_aires.money(Decimal("50175")) == "$ 50.175,00" and buenos_aires.number(1234567) == "1.234.567"
    mexico_in_english = TenantFormat("America/Mexico_City", "MXN", "en", "es_MX")
    assert mexico_in_english.money(Decimal("50175")) == "$50,175.00"  # never MX$, never $50.175,00
    assert TenantFormat("America/Bogota", "COP", "es", "es_CO").money(Decimal("18500")) == "$18.500"
    # A page of many tenants (the all-tenants dashboard) writes each currency as its country does.
    everyone = TenantFormat(language="es")
    assert [everyone.money(Decimal("43571"), c) for c in ("PEN", "COP", "EUR", "MXN")] == [
        "S/\u00a043,571.00",
        "$43.571",
        "43.571,00\u00a0€",
        "$43,571.00",
    ]
    # Side by side, a bare "$" is ambiguous (COP and MXN both write it): there the code follows it.
    assert [everyone.money_among(Decimal("43571"), c) for c in ("PEN", "COP", "EUR", "MXN", "CLP")] == [
        "S/\u00a043,571.00",
        "$43.571\u00a0COP",
        "43.571,00\u00a0€",
        "$43,571.00\u00a0MXN",
        "$43.571\u00a0CLP",
    ]


def test_the_console_never_imports_the_server_or_database_libraries() -> None:
    code = (
        "import sys, comandia.console.app, comandia.console.windows.pages; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'psycopg', 'falcon') "
        "or m.startswith('comandia.server')); print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
