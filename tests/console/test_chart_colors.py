"""Charts follow the theme: dark background and light text in the dark theme, switched at once,
and saved as PNG in the light colours (a picture for a report)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from comandia.console.charts.canvas import ChartView
from comandia.console.charts.styling import PRINTED
from comandia.console.theme import DARK, LIGHT, apply_theme


def a_chart() -> Figure:
    figure = Figure(figsize=(4, 3), dpi=50)
    ax = figure.add_subplot(111)
    ax.bar(["lun", "mar"], [3, 5], label="Periodo actual")
    ax.set_title("Ventas")
    ax.legend()
    ax.text(0.5, 0.5, "sin datos", transform=ax.transAxes)
    return figure


def looks(figure: Figure) -> tuple[str, str, str, str, str]:
    ax = figure.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    return (
        to_hex(figure.get_facecolor()),
        to_hex(ax.get_facecolor()),
        to_hex(ax.title.get_color()),
        to_hex(ax.get_xticklabels()[0].get_color()),
        to_hex(legend.get_texts()[0].get_color()),
    )


def test_a_chart_is_dark_in_the_dark_theme_and_light_again_in_the_light_one(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    view = ChartView()
    qtbot.addWidget(view)
    try:
        apply_theme(qapp, "dark")
        view.show_figure(a_chart())
        assert view.figure is not None
        assert looks(view.figure) == (DARK.base, DARK.base, DARK.text, DARK.muted, DARK.text)
        assert to_hex(view.figure.axes[0].texts[0].get_color()) == DARK.text
        view.save_png(str(tmp_path / "ventas.png"))
        corner = QImage(str(tmp_path / "ventas.png")).pixelColor(1, 1).name()
        assert corner == PRINTED.background  # the file is light
        assert looks(view.figure)[0] == DARK.base  # the screen stays dark
        apply_theme(qapp, "light")  # switching the theme repaints the chart on screen
        figure = view.figure
        qtbot.waitUntil(
            lambda: looks(figure) == (LIGHT.base, LIGHT.base, LIGHT.text, LIGHT.muted, LIGHT.text), timeout=5_000
        )
    finally:
        apply_theme(qapp, "light")
