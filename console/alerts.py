"""A sound and a tray notification for what needs someone now: a new order, a chat waiting.

The tray icon exists only where the desktop has a tray (never on the test platform); the sound is
the system's beep. Both are best effort: an alert never stops the page that raised it.
"""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon


class Alerts:
    """Plays and shows alerts; `count` is how many were raised (tests and the status bar read it)."""

    def __init__(self) -> None:
        self.count = 0
        self.last: tuple[str, str] | None = None
        self._tray: QSystemTrayIcon | None = None

    def raise_alert(self, title: str, text: str) -> None:
        self.count += 1
        self.last = (title, text)
        QApplication.beep()
        tray = self._tray_icon()
        if tray is not None:
            tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            app = QApplication.instance()
            style = app.style() if isinstance(app, QApplication) else None
            icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation) if style else QIcon()
            self._tray = QSystemTrayIcon(icon)
            self._tray.show()
        return self._tray
