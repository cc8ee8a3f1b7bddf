"""The docs come in English and Spanish, and their links lead somewhere.

`SPANISH` is the one mapping of every English page under docs/ to its Spanish counterpart under
docs/es/; `GUIDES` lists the Spanish-only step-by-step guides and the English page each draws on.
A page added in one language without its counterpart, a page missing from its language's index,
a counterpart not linked at the top of a page, a section or table row that one language has and
the other lacks, and a relative link (or its #anchor) that leads nowhere all fail here.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
ES = DOCS / "es"

SPANISH = {
    "README.md": "README.md",
    "api.md": "api.md",
    "architecture.md": "arquitectura.md",
    "business-rules.md": "reglas-del-negocio.md",
    "catalog.md": "catalogo.md",
    "console.md": "consola.md",
    "install.md": "instalacion.md",
    "kpis.md": "indicadores.md",
    "operations.md": "operaciones.md",
    "reliability.md": "confiabilidad.md",
    "scaling.md": "escalabilidad.md",
    "tenants.md": "negocios.md",
    "whatsapp.md": "whatsapp.md",
}
GUIDES = {  # Spanish-only guides for operators -> the English page that holds the same facts
    "agregar-negocio.md": "tenants.md",
    "configurar-whatsapp.md": "whatsapp.md",
    "desactivar-cliente.md": "operations.md",
    "primer-cliente.md": "install.md",
    "respaldos.md": "operations.md",
}
TOP_LINES = 8  # the counterpart link sits under the title
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def markdown_files() -> list[Path]:
    return sorted([REPO / "README.md", *DOCS.rglob("*.md")])


def without_code(text: str) -> str:
    """`text` with fenced blocks blanked (line numbers kept) and inline code dropped."""
    text = FENCE.sub(lambda block: "\n" * block.group(0).count("\n"), text)
    return re.sub(r"`[^`\n]*`", "", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    heading = unicodedata.normalize("NFC", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    for match in HEADING.finditer(text):
        base = slug(match.group(2))
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def relative_links() -> list[tuple[str, str]]:
    links = []
    for page in markdown_files():
        for match in LINK.finditer(without_code(page.read_text(encoding="utf-8"))):
            target = match.group(1)
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                links.append((str(page.relative_to(REPO)), target))
    return links


def test_every_english_page_has_its_spanish_counterpart() -> None:
    english = {page.name for page in DOCS.glob("*.md")}
    assert english == set(SPANISH), "add the page to SPANISH (or drop it from there) and write its counterpart"
    spanish = {page.name for page in ES.glob("*.md")}
    missing = sorted(f"docs/es/{name} (for docs/{page})" for page, name in SPANISH.items() if name not in spanish)
    assert not missing, f"Spanish pages missing: {missing}"
    unlisted = sorted(spanish - set(SPANISH.values()) - set(GUIDES))
    assert not unlisted, f"Spanish pages in neither SPANISH nor GUIDES: {unlisted}"
    assert all((DOCS / page).is_file() for page in GUIDES.values())


@pytest.mark.parametrize("english", sorted(SPANISH))
def test_each_page_links_its_counterpart_at_the_top(english: str) -> None:
    spanish = SPANISH[english]
    en_top = "\n".join((DOCS / english).read_text(encoding="utf-8").splitlines()[:TOP_LINES])
    es_top = "\n".join((ES / spanish).read_text(encoding="utf-8").splitlines()[:TOP_LINES])
    assert f"(es/{spanish})" in en_top, f"docs/{english} does not link es/{spanish} under its title"
    assert f"(../{english})" in es_top, f"docs/es/{spanish} does not link ../{english} under its title"


@pytest.mark.parametrize("guide", sorted(GUIDES))
def test_each_spanish_guide_links_its_english_page(guide: str) -> None:
    text = (ES / guide).read_text(encoding="utf-8")
    assert f"(../{GUIDES[guide]}" in text, f"docs/es/{guide} does not link ../{GUIDES[guide]}"


def test_each_index_lists_every_page_of_its_language() -> None:
    en_index = (DOCS / "README.md").read_text(encoding="utf-8")
    es_index = (ES / "README.md").read_text(encoding="utf-8")
    for english, spanish in SPANISH.items():
        if english != "README.md":
            assert f"]({english})" in en_index, f"docs/README.md does not list {english}"
            assert f"]({spanish})" in es_index, f"docs/es/README.md does not list {spanish}"
    for guide in GUIDES:
        assert f"]({guide})" in es_index, f"docs/es/README.md does not list {guide}"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "](docs/es/README.md)" in readme and "](docs/README.md)" in readme


LINKS = relative_links()


def test_the_docs_have_relative_links() -> None:
    assert len(LINKS) > 100
    assert {page for page, _ in LINKS} >= {"README.md", "docs/README.md", "docs/es/README.md"}


@pytest.mark.parametrize(("page", "target"), LINKS, ids=[f"{p}->{t}" for p, t in LINKS])
def test_every_relative_link_resolves(page: str, target: str) -> None:
    path, _, anchor = target.partition("#")
    file = (REPO / page).parent / path if path else REPO / page
    assert file.resolve().is_relative_to(REPO), f"{page}: {target} leaves the repository"
    assert file.exists(), f"{page}: {target} leads to no file"
    if anchor and file.suffix == ".md":
        assert anchor in anchors(file), f"{page}: {target}: no heading gives #{anchor}"


def test_slug_matches_github() -> None:
    assert slug("Deactivating and deleting clients") == "deactivating-and-deleting-clients"
    assert slug("`shared.domain`: the vocabulary") == "shareddomain-the-vocabulary"
    assert slug("Cómo encuentra una petición la base de su negocio") == (
        "cómo-encuentra-una-petición-la-base-de-su-negocio"
    )
    assert slug("Verify: a backup counts only once it has been restored") == (
        "verify-a-backup-counts-only-once-it-has-been-restored"
    )


SAME_SHAPE = sorted(set(SPANISH) - {"README.md", "console.md", "install.md"})  # those are laid out apart


def shape(page: Path) -> dict[str, int]:
    """What a translation keeps: its sections, subsections and table rows."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {
        "sections (##)": len(re.findall(r"^## ", text, re.M)),
        "subsections (###)": len(re.findall(r"^### ", text, re.M)),
        "table rows": len(re.findall(r"^\|", text, re.M)),
    }


@pytest.mark.parametrize("english", SAME_SHAPE)
def test_each_translation_has_the_shape_of_its_page(english: str) -> None:
    """A section or a table row (a route, a rule, a promise) added in one language only fails here:
    write it in the other language in the same commit."""
    assert shape(ES / SPANISH[english]) == shape(DOCS / english), f"docs/{english} and docs/es/{SPANISH[english]}"


_CONFLICT = re.compile(r"^(<<<<<<<|>>>>>>>)( |$)", re.MULTILINE)  # not "=======": a heading's underline


def test_no_page_keeps_a_merge_conflicts_markers() -> None:
    """A merge resolved in a hurry left `<<<<<<< HEAD` … `>>>>>>> main` in architecture.md (EN and
    ES) for a whole session: both sides read as the page's text."""
    pages = [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]
    marked = [str(page.relative_to(REPO)) for page in pages if _CONFLICT.search(page.read_text(encoding="utf-8"))]
    assert len(pages) > 20 and marked == []
