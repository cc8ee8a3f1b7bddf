"""The board's alert sound: the chime through QtMultimedia's QSoundEffect where the add-on is
installed, the system beep where it is not. The test machine has no QtMultimedia (PySide6's
Essentials only), so the QSoundEffect path runs against a stand-in module with its API; the chime
itself is checked as a WAV file QSoundEffect can play."""

from __future__ import annotations

import importlib
import sys
import types
import wave
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from comandia.console import alerts
from comandia.console.alerts import CHIME, Alerts


class FakeSoundEffect:
    """QSoundEffect's calls as console/alerts.py makes them, recorded."""

    made: list[FakeSoundEffect] = []

    def __init__(self) -> None:
        self.source: QUrl | None = None
        self.volume: float | None = None
        self.plays = 0
        FakeSoundEffect.made.append(self)

    def setSource(self, url: QUrl) -> None:  # noqa: N802 - Qt's naming
        self.source = url

    def setVolume(self, volume: float) -> None:  # noqa: N802
        self.volume = volume

    def play(self) -> None:
        self.plays += 1


@pytest.fixture
def multimedia(monkeypatch: pytest.MonkeyPatch) -> type[FakeSoundEffect]:
    module = types.ModuleType("PySide6.QtMultimedia")
    module.QSoundEffect = FakeSoundEffect  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", module)
    FakeSoundEffect.made = []
    return FakeSoundEffect


def test_with_qtmultimedia_each_alert_plays_the_chime_loaded_once(
    qtbot: QtBot, multimedia: type[FakeSoundEffect]
) -> None:
    board_alerts = Alerts()
    assert multimedia.made == []  # nothing is loaded before the first alert: a quiet start pays nothing
    board_alerts.raise_alert("Nuevo pedido", "#101 Ana")
    board_alerts.raise_alert("Chat en espera", "Luis")
    [effect] = multimedia.made
    assert effect.source is not None and effect.source.toLocalFile() == str(CHIME)
    assert effect.volume is not None and 0 < effect.volume <= 1
    assert effect.plays == 2 and board_alerts.sound == "chime"
    assert (board_alerts.count, board_alerts.last) == (2, ("Chat en espera", "Luis"))


def test_without_qtmultimedia_the_alert_beeps(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def without_multimedia(name: str, *args: Any) -> types.ModuleType:
        if name == "PySide6.QtMultimedia":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(alerts.importlib, "import_module", without_multimedia)
    beeps: list[None] = []
    monkeypatch.setattr(alerts.QApplication, "beep", staticmethod(lambda: beeps.append(None)))
    board_alerts = Alerts()
    board_alerts.raise_alert("Nuevo pedido", "#102 Ana")
    assert board_alerts.sound == "beep" and len(beeps) == 1


def test_the_chime_is_a_short_pcm_wav_qsoundeffect_plays() -> None:
    with wave.open(str(CHIME)) as chime:  # QSoundEffect plays uncompressed WAV only
        seconds = chime.getnframes() / chime.getframerate()
        assert chime.getsampwidth() == 2 and chime.getnchannels() in (1, 2) and 0.1 < seconds < 3
