"""A sound and a tray notification for what needs someone now: a new order, a chat waiting.

The sound is the console's chime (assets/chime.wav) through QtMultimedia's QSoundEffect where
that module is installed (PySide6's add-ons), and the system's beep where it is not. The tray
icon exists only where the desktop has a tray (never on the test platform). Both are best
effort: an alert never stops the page that raised it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

CHIME = Path(__file__).resolve().parent / "assets" / "chime.wav"


def _sound_effect() -> Any | None:
    """A QSoundEffect loaded with the chime, or None where QtMultimedia is not installed."""
    try:
        multimedia = importlib.import_module("PySide6.QtMultimedia")  # an optional add-on: imported if there
    except ImportError:
        return None
    effect = multimedia.QSoundEffect()
    effect.setSource(QUrl.fromLocalFile(str(CHIME)))
    effect.setVolume(0.8)
    return effect


class Alerts:
    """Plays and shows alerts.

    `count` is how many were raised and `last` the latest (title, text); `sound` says how the
    latest was heard: ``chime`` (QSoundEffect) or ``beep`` (no QtMultimedia).
    """

    def __init__(self) -> None:
        self.count = 0
        self.last: tuple[str, str] | None = None
        self.sound = ""
        self._tray: QSystemTrayIcon | None = None
        self._effect: Any | None = None
        self._effect_tried = False

    def raise_alert(self, title: str, text: str) -> None:
        self.count += 1
        self.last = (title, text)
        self._play()
        tray = self._tray_icon()
        if tray is not None:
            tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)

    def _play(self) -> None:
        if not self._effect_tried:  # loaded on the first alert, so a quiet start pays nothing for it
            self._effect_tried = True
            self._effect = _sound_effect()
        if self._effect is not None:
            self._effect.play()
            self.sound = "chime"
        else:
            QApplication.beep()
            self.sound = "beep"

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            app = QApplication.instance()
            style = app.style() if isinstance(app, QApplication) else None
            icon = QApplication.windowIcon()
            if icon.isNull():
                icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation) if style else QIcon()
            self._tray = QSystemTrayIcon(icon)
            self._tray.show()
        return self._tray
