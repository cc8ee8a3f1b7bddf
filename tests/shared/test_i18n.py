"""The message catalogs: Spanish first, English too; every marked text has its Spanish translation."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from comandia.shared import i18n
from comandia.shared.domain.errors import InvalidTransition, NotFound, ValidationFailed

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_marked_text_has_a_spanish_translation() -> None:
    missing = _script().missing_spanish()
    assert missing == [], "run scripts/i18n.py and translate:\n" + "\n".join(missing)


def test_no_marked_text_is_an_f_string() -> None:
    """An f-string reaches every reader in English: errors and messages pass their values as
    keywords (``NotFound("tenant {tenant_id} ...", tenant_id=...)``) so the catalog translates them."""
    sites = _script().untranslatable()
    assert sites == [], "give these calls a template and keyword values:\n" + "\n".join(sites)


def test_a_docstring_is_no_text_for_people(tmp_path: Path) -> None:
    """Babel reads `text[a:b]` as a `text(...)` call left open and takes the docstrings after it as
    marked texts (two chat docstrings reached the catalogs so on 7 December); the script leaves
    out a text that begins a docstring, and keeps a marked text, even one of several lines."""
    script = _script()
    source = tmp_path / "chat.py"
    source.write_text(
        'def spans(text):\n    """Where each part is: a list\'s\n    lines stay apart."""\n'
        '    return text(language, "Where should we deliver it?\\n"\n    "Type the address.")\n',
        encoding="utf-8",
    )
    assert script._is_docstring(source, "Where each part is: a list's\n    lines stay apart.")
    assert not script._is_docstring(source, "Where should we deliver it?\nType the address.")
    assert not script._is_docstring(source, ("one item", "{n} items"))


def test_every_error_class_is_extracted_so_its_details_reach_the_catalog() -> None:
    """A subclass of a domain error raised with its own detail ("backup {folder} has no manifest")
    is only extracted, and only checked for f-strings, when the script names it."""
    script = _script()
    known = set(script.KEYWORDS)
    missing = []
    for folder in script.SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                bases = {b.id for b in getattr(node, "bases", ()) if isinstance(b, ast.Name)}
                error_class = isinstance(node, ast.ClassDef) and bases & set(script._ERRORS)
                if error_class and node.name not in known and _takes_a_detail(node):  # type: ignore[arg-type]
                    missing.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert missing == [], "add these to _ERRORS in scripts/i18n.py:\n" + "\n".join(missing)


def test_every_field_problem_is_marked_for_the_catalog() -> None:
    """A field's problem written as a bare string in ``ValidationFailed(detail, {"from": "..."})``
    is never extracted (only the detail is), so it reached Spanish readers in English: mark it N_."""
    script, bare = _script(), []
    for folder in script.SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ValidationFailed":
                    fields = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "fields")]
                    for value in (v for d in fields if isinstance(d, ast.Dict) for v in d.values):
                        if isinstance(value, ast.Constant) and isinstance(value.value, str):
                            bare.append(f"{path.relative_to(ROOT)}:{value.lineno}: {value.value!r}")
    assert bare == [], "wrap these in N_():\n" + "\n".join(bare)


def _takes_a_detail(node: ast.ClassDef) -> bool:
    """Whether the class is raised with a detail text (its own `__init__`, if any, takes one first)."""
    init = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
    if init is None:
        return True
    arguments = [*init.args.posonlyargs, *init.args.args][1:]
    return bool(arguments) and arguments[0].arg == "detail"


def test_the_catalogs_are_as_the_script_writes_them() -> None:
    """A merge of two branches that each added a text can leave entries out of order; the check
    catches it, so every run of scripts/i18n.py leaves the files as they are."""
    assert _script().stale() == [], "run scripts/i18n.py and commit the catalogs"


def test_a_catalog_merged_out_of_order_is_written_back_in_order() -> None:
    import io

    from babel.messages.pofile import read_po

    script = _script()
    written = script.catalog_file("es").read_bytes()
    header, *entries = written.split(b"\n\n")
    entries[10], entries[11] = entries[11], entries[10]  # what git made of two branches' neighbouring additions
    merged = b"\n\n".join([header, *entries])
    assert merged != written
    catalog = read_po(io.BytesIO(merged), locale="es", domain="comandia")
    assert script.rendered(catalog, script.template()) == written


def test_an_error_built_from_a_template_reads_in_spanish() -> None:
    from comandia.shared.domain.roles import Role, check_role_scope

    with pytest.raises(ValidationFailed) as caught:
        check_role_scope(Role.MANAGER, None)
    assert caught.value.localized("es") == "un manager pertenece a un negocio"
    assert caught.value.localized("en") == "a manager belongs to one tenant"
    assert caught.value.localized_fields("es") == {"tenant_id": "es obligatorio para un manager"}


def test_translations_keep_the_fields_of_their_english_text() -> None:
    """A Spanish text that drops or renames a `{field}` would show a wrong or half sentence."""
    import string

    catalog = _script().read("es")
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = {name for text in ids for _, name, _, _ in string.Formatter().parse(text) if name}
        for text in strings:
            got = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            if got != wanted:
                wrong.append(f"{message.id!r}: {text!r}")
    assert wrong == []


def test_the_catalogs_are_package_data() -> None:
    for language in i18n.LANGUAGES:
        assert i18n.catalog_path(language).is_file()


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "es"),
        ("", "es"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("fr-FR, en;q=0.5", "en"),
        ("fr", "es"),
        ("en;q=0.2, es;q=0.8", "es"),
        ("en;q=0, es", "es"),
        ("en;q=abc", "es"),
        ("*", "es"),
        ("EN_gb", "en"),
        (",,,;;;q=", "es"),
        ("x" * 5000, "es"),
    ],
)
def test_accept_language_picks_spanish_unless_english_is_preferred(header: str | None, language: str) -> None:
    assert i18n.accepted_language(header) == language


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "es"),
        ({"LANG": "C.UTF-8"}, "es"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "es_MX.UTF-8"}, "es"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "es_AR.UTF-8"}, "es"),
        ({"LANGUAGE": "en:es", "LANG": "es_MX"}, "en"),
        ({"COMANDIA_LANGUAGE": "es", "LANG": "en_US.UTF-8"}, "es"),
        ({"LC_ALL": "POSIX"}, "es"),
    ],
)
def test_the_command_line_language_comes_from_the_environment(environ: dict[str, str], language: str) -> None:
    assert i18n.environment_language(environ) == language


def test_texts_are_spanish_by_default_and_english_on_request() -> None:
    assert i18n.text("es", "tenant {tenant_id} does not exist", tenant_id="t1") == "el negocio t1 no existe"
    assert i18n.text("en", "tenant {tenant_id} does not exist", tenant_id="t1") == "tenant t1 does not exist"
    assert i18n.text("pt", "Not found") == "No encontrado"  # an unknown language is Spanish


def test_a_text_not_in_the_catalog_comes_back_as_written() -> None:
    assert i18n.text("es", "no such text {x}", x=1) == "no such text 1"
    assert i18n.text("es", "braces {of its own}", x=1) == "braces {of its own}"


def test_domain_errors_carry_their_template_and_translate_for_the_reader() -> None:
    error = NotFound("tenant {tenant_id} does not exist", tenant_id="t9")
    assert error.detail == "tenant t9 does not exist"  # logs stay English
    assert error.localized("es") == "el negocio t9 no existe"
    assert error.localized_title("es") == "No encontrado"
    field = ValidationFailed.of_field("name", "must be at most {n} characters", n=5)
    assert field.detail == "invalid name: must be at most 5 characters"
    assert field.localized("es") == "name no válido: debe tener como máximo 5 caracteres"
    assert field.localized_fields("es") == {"name": "debe tener como máximo 5 caracteres"}
    assert field.fields == {"name": "must be at most 5 characters"}
    final = InvalidTransition("delivered", "new", ())
    assert "ninguno (estado final)" in final.localized("es")
    assert "none (final state)" in final.detail
