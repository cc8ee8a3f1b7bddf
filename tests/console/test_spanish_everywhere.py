"""No English leaks into the Spanish console: every page, opened in Spanish, shows no catalog key
left untranslated and no text that the catalog has only as its English side."""

from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from comandia.console.app import ConsoleApp
from comandia.console.i18n import both_languages
from tests.console.conftest import LogIn
from tests.plugins.api import World

KEY = re.compile(r"^[a-z_]+\.[a-z_.]+$")  # what Translator gives back for a key it does not know
ENGLISH_ONLY = {en for es, en in both_languages().values() if es != en and len(en) > 3 and "{" not in en}


def visible_texts(root: QWidget) -> set[str]:
    """Every text a person can read on `root`: labels, buttons, titles, tabs, placeholders, combo
    items and table headers."""
    found: set[str] = set()
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel | QAbstractButton):
            found.add(widget.text())
        if isinstance(widget, QGroupBox):
            found.add(widget.title())
        if isinstance(widget, QLineEdit):
            found.add(widget.placeholderText())
        if isinstance(widget, QTabWidget):
            found.update(widget.tabText(i) for i in range(widget.count()))
        if isinstance(widget, QListWidget):
            found.update(widget.item(i).text() for i in range(widget.count()))
        if isinstance(widget, QComboBox):
            found.update(widget.itemText(i) for i in range(widget.count()))
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # a list model keeps columnCount private: it has no headers
                continue
            for c in range(columns):  # a title on two lines is checked whole, as its tooltip says it
                whole = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
                found.add(str(whole or model.headerData(c, Qt.Orientation.Horizontal)))
    return {text.replace("&", "").strip() for text in found if text and text.strip()}


def leaks(texts: set[str]) -> set[str]:
    return {t for t in texts if KEY.fullmatch(t) or t in ENGLISH_ONLY}


def test_every_page_of_the_spanish_console_is_in_spanish(
    console: ConsoleApp, log_in: LogIn, world: World, qtbot: QtBot
) -> None:
    window = log_in(world.superadmin)
    window.language_box.setCurrentIndex(window.language_box.findData("es"))
    spanish = console.window
    assert spanish is not None
    found: dict[str, set[str]] = {}
    seen: set[str] = set()
    for key in spanish.page_keys:
        page = spanish.open_page(key)
        qtbot.waitUntil(lambda: spanish.ctx.runner.busy == 0, timeout=15_000)
        texts = visible_texts(page)
        seen |= texts
        if leaks(texts):
            found[key] = leaks(texts)
    shell = visible_texts(spanish)
    assert found == {} and leaks(shell) == set()
    assert len(spanish.page_keys) >= 8 and len(seen) > 100  # the pages were there to be read
    assert {"Negocios", "Pedidos"} <= shell | seen


def test_the_leak_check_can_fail() -> None:
    """The check itself: an English catalog text or a bare key is caught, Spanish passes."""
    english = next(iter(sorted(ENGLISH_ONLY)))
    assert leaks({english, "orders.title", "Pedidos"}) == {english, "orders.title"}
