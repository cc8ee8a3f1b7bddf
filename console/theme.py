"""The console's look: Fusion, a light and a dark palette, one stylesheet, the logo and the page icons.

Every colour the console draws comes from `Colors`; widgets name their role with an object name
(``nav``, ``kpiCard``, ``emptyState``, ``orderCard``, ``testTag``, ``banner``...) and the stylesheet dresses
them, so no page carries its own colours. `apply_theme` can be called again at any time: the
whole application follows (the page icons are redrawn by the main window).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

ASSETS = Path(__file__).resolve().parent / "assets"
THEMES = ("system", "light", "dark")


@dataclass(frozen=True)
class Colors:
    window: str
    base: str
    alternate: str
    text: str
    muted: str
    border: str
    sidebar: str
    hover: str
    accent: str
    accent_soft: str
    accent_text: str
    warning_bg: str
    warning_border: str
    warning_text: str
    error: str
    bubble_in: str
    """A conversation's bubbles: the customer's, the bot's and a person's of the business."""
    bubble_bot: str
    bubble_agent: str


LIGHT = Colors(
    window="#f5f6f8",
    base="#ffffff",
    alternate="#f8f9fb",
    text="#1d2330",
    muted="#6b7280",
    border="#d9dde3",
    sidebar="#ffffff",
    hover="#eef1f4",
    accent="#1f8f5f",
    accent_soft="#dff2e8",
    accent_text="#146341",
    warning_bg="#fff3cd",
    warning_border="#e0c36b",
    warning_text="#4a3800",
    error="#b00020",
    bubble_in="#f1f0f0",
    bubble_bot="#e7f0fd",
    bubble_agent="#dcf8c6",
)
DARK = Colors(
    window="#1b1f24",
    base="#23282f",
    alternate="#272d35",
    text="#e4e7eb",
    muted="#9aa3ae",
    border="#363d47",
    sidebar="#161a1f",
    hover="#2a3038",
    accent="#2fae77",
    accent_soft="#1e3d30",
    accent_text="#86dcb0",
    warning_bg="#3d3415",
    warning_border="#80692a",
    warning_text="#f3e2a6",
    error="#ff7a8a",
    bubble_in="#2c323a",
    bubble_bot="#1f3147",
    bubble_agent="#1e3d30",
)


def is_dark(choice: str) -> bool:
    """Whether `choice` (``system``, ``light`` or ``dark``) means dark now."""
    if choice in ("light", "dark"):
        return choice == "dark"
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def stylesheet(c: Colors) -> str:
    """The application's stylesheet for the colours `c`."""
    return f"""
QWidget {{ font-size: 10pt; }}
QListWidget#nav {{ background: {c.sidebar}; border: none; border-right: 1px solid {c.border}; padding: 6px;
    outline: 0; }}
QListWidget#nav::item {{ padding: 7px 8px; border-radius: 6px; margin: 1px 0; color: {c.text}; }}
QListWidget#nav::item:selected {{ background: {c.accent_soft}; color: {c.accent_text}; font-weight: 600; }}
QListWidget#nav::item:hover:!selected {{ background: {c.hover}; }}
QWidget#sidebar {{ background: {c.sidebar}; border-right: 1px solid {c.border}; }}
QLabel#brand {{ font-size: 13pt; font-weight: 700; color: {c.accent_text}; }}
QWidget#topBar {{ border-bottom: 1px solid {c.border}; }}
QPushButton {{ padding: 5px 12px; border-radius: 6px; border: 1px solid {c.border}; background: {c.base};
    color: {c.text}; }}
QPushButton:hover {{ border-color: {c.accent}; }}
QPushButton:pressed {{ background: {c.accent_soft}; }}
QPushButton:disabled {{ color: {c.muted}; background: {c.window}; }}
QPushButton[primary="true"] {{ background: {c.accent}; color: #ffffff; border-color: {c.accent}; font-weight: 600; }}
QLineEdit, QDateEdit, QSpinBox, QDoubleSpinBox, QPlainTextEdit, QTextEdit, QTextBrowser {{
    border: 1px solid {c.border}; border-radius: 6px; padding: 3px 6px; background: {c.base}; }}
QLineEdit:focus, QDateEdit:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border-color: {c.accent}; }}
QTableView, QListWidget, QListView, QTreeView {{ border: 1px solid {c.border}; border-radius: 6px;
    background: {c.base}; alternate-background-color: {c.alternate}; gridline-color: {c.border};
    selection-background-color: {c.accent_soft}; selection-color: {c.text}; }}
QHeaderView::section {{ background: {c.window}; color: {c.muted}; padding: 5px 6px; border: none;
    border-bottom: 1px solid {c.border}; font-weight: 600; }}
QTabWidget::pane {{ border: 1px solid {c.border}; border-radius: 6px; top: -1px; background: {c.base}; }}
QTabBar::tab {{ padding: 6px 12px; border: 1px solid transparent; color: {c.muted}; }}
QTabBar::tab:selected {{ color: {c.accent_text}; border-bottom: 2px solid {c.accent}; font-weight: 600; }}
QProgressBar {{ border: none; background: {c.hover}; }}
QProgressBar::chunk {{ background: {c.accent}; }}
QFrame#kpiCard, QFrame#orderCard {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 10px; }}
QFrame#orderCard[fresh="true"] {{ border: 2px solid {c.accent}; }}
QLabel#kpiTitle {{ color: {c.muted}; font-size: 9pt; font-weight: 600; }}
QLabel#kpiValue {{ font-size: 17pt; font-weight: 700; }}
QLabel#kpiDelta {{ color: {c.muted}; font-size: 9pt; }}
QLabel#kpiDelta[trend="up"] {{ color: {c.accent_text}; }}
QLabel#kpiDelta[trend="down"] {{ color: {c.error}; }}
QLabel#columnTitle {{ font-size: 11pt; font-weight: 700; padding: 4px 2px; }}
QLabel#emptyState {{ color: {c.muted}; font-size: 10.5pt; padding: 18px; }}
QLabel#cardMeta {{ color: {c.muted}; }}
QLabel#testTag {{ background: {c.warning_bg}; color: {c.warning_text}; border: 1px solid {c.warning_border};
    border-radius: 4px; padding: 0 5px; font-size: 9pt; font-weight: 600; }}
QLabel#error {{ color: {c.error}; }}
QFrame#banner {{ background: {c.warning_bg}; border: 1px solid {c.warning_border}; border-radius: 6px; }}
QFrame#banner QLabel {{ color: {c.warning_text}; }}
QStatusBar {{ color: {c.muted}; }}
"""


def palette(c: Colors) -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window,
        QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.base,
        QPalette.ColorRole.AlternateBase: c.alternate,
        QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: c.base,
        QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: c.base,
        QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.PlaceholderText: c.muted,
        QPalette.ColorRole.Link: c.accent_text,
        QPalette.ColorRole.Mid: c.border,
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted))
    return p


def colors(choice: str) -> Colors:
    return DARK if is_dark(choice) else LIGHT


def apply_theme(app: QApplication, choice: str) -> Colors:
    """Dress `app` in the theme `choice` (``system`` follows the desktop); return its colours."""
    c = colors(choice)
    app.setStyle("Fusion")  # the same widgets on Windows, macOS and Linux, dressed by the stylesheet
    app.setPalette(palette(c))
    app.setStyleSheet(stylesheet(c))
    app.setWindowIcon(logo())
    return c


def svg_pixmap(path: Path, size: int, color: str | None = None) -> QPixmap:
    """`path` drawn at `size` pixels square, its `currentColor` painted `color`."""
    data = path.read_text(encoding="utf-8")
    if color is not None:
        data = data.replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(data.encode()))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def logo(size: int = 64) -> QIcon:
    return QIcon(svg_pixmap(ASSETS / "logo.svg", size))


def page_icon(key: str, c: Colors) -> QIcon:
    """The sidebar icon of page `key` in the theme's text colour (selected: the accent); none if not drawn."""
    path = ASSETS / "icons" / f"{key}.svg"
    if not path.exists():
        return QIcon()
    icon = QIcon(svg_pixmap(path, 40, c.muted))
    icon.addPixmap(svg_pixmap(path, 40, c.accent_text), QIcon.Mode.Selected)
    return icon
