"""The console's look: one stylesheet, light and dark, icons drawn in the theme's colours, KPI cards
and empty states in Spanish."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from comandia.console.i18n import Translator
from comandia.console.theme import ASSETS, DARK, LIGHT, apply_theme, page_icon, stylesheet
from comandia.console.windows.board import BoardPage, age_text
from comandia.console.windows.main_window import MainWindow
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_every_page_has_an_icon_and_the_logo_is_drawn(qapp: QApplication) -> None:
    keys = (
        "tenants",
        "provision",
        "onboarding",
        "users",
        "admin_kpis",
        "audit",
        "backups",
        "board",
        "conversations",
        "orders",
        "customers",
        "catalog",
        "settings",
        "kpis",
    )
    for key in keys:
        icon = page_icon(key, LIGHT)
        assert not icon.isNull() and not icon.pixmap(20, 20).toImage().isNull(), key
    assert (ASSETS / "logo.svg").exists() and page_icon("no-such-page", LIGHT).isNull()


def test_light_and_dark_dress_the_whole_application(qapp: QApplication) -> None:
    try:
        apply_theme(qapp, "dark")
        assert qapp.palette().color(QPalette.ColorRole.Window).name() == DARK.window
        assert DARK.accent in qapp.styleSheet()
        apply_theme(qapp, "light")
        assert qapp.palette().color(QPalette.ColorRole.Window).name() == LIGHT.window
        assert qapp.styleSheet() == stylesheet(LIGHT)
    finally:
        apply_theme(qapp, "light")


def test_the_theme_picked_in_the_top_bar_applies_at_once_and_is_remembered(
    log_in: LogIn, world: World, qtbot: QtBot, qapp: QApplication
) -> None:
    window = log_in(world.manager_a)
    assert isinstance(window, MainWindow)
    try:
        window.theme_box.setCurrentIndex(window.theme_box.findData("dark"))
        assert window.ctx.settings.theme == "dark"
        assert qapp.palette().color(QPalette.ColorRole.Base).name() == DARK.base
    finally:
        window.change_theme("light")
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_an_empty_board_says_so_in_each_column(log_in: LogIn, world: World, qtbot: QtBot) -> None:
    window = log_in(world.manager_a)
    board = window.current_page()
    assert isinstance(board, BoardPage)
    board.show_orders([])
    assert board.empty["new"].text().startswith("No new orders")
    assert all(not label.isHidden() for label in board.empty.values())
    assert Translator("es")("board.empty.new").startswith("Sin pedidos nuevos")
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_an_orders_age_reads_in_minutes_hours_then_days() -> None:
    tr = Translator("es")
    assert age_text(0, tr) == "recién llegado"
    assert age_text(5, tr) == "hace 5 min"
    assert age_text(134, tr) == "hace 2 h 14 min"
    assert age_text(60, tr) == "hace 1 h"  # not "1 h 0 min"
    assert age_text(3 * 24 * 60 + 7, tr) == "hace 3 d"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_conversation_bubbles_are_readable_in_both_themes() -> None:
    """The transcript's bubbles take the theme's colours (they were light grey under the dark theme's
    light text, unreadable): every bubble against its text reaches WCAG's 4.5:1."""
    for theme in (LIGHT, DARK):
        text = _luminance(theme.text)
        for bubble in (theme.bubble_in, theme.bubble_bot, theme.bubble_agent):
            light, dark = sorted((text, _luminance(bubble)), reverse=True)
            assert (light + 0.05) / (dark + 0.05) >= 4.5, (theme.text, bubble)
