"""Charts in the console's colours: a figure on screen takes the palette of the widget showing it
(the dark theme gets a dark background and light text instead of a white card), and a chart saved
as PNG is drawn in the light colours, as a picture for a report or a printer is.

Qt-free: `ChartView` reads the colours off its palette and hands them here.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure


@dataclass(frozen=True)
class ChartColors:
    background: str
    text: str
    muted: str
    lines: str


PRINTED = ChartColors(background="#ffffff", text="#1d2330", muted="#4b5563", lines="#c7ccd3")
"""The colours of a saved chart (and matplotlib's look: dark text on white)."""


def paint(figure: Figure, colors: ChartColors) -> None:
    """Recolour `figure`'s background, texts, ticks, frame, grid and legends (the data keep theirs)."""
    figure.set_facecolor(colors.background)
    for text in figure.texts:
        text.set_color(colors.text)
    for ax in figure.axes:
        ax.set_facecolor(colors.background)
        ax.tick_params(colors=colors.muted, which="both")
        for label in (ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts):
            label.set_color(colors.text)
        for spine in ax.spines.values():
            spine.set_color(colors.lines)
        for line in (*ax.get_xgridlines(), *ax.get_ygridlines()):
            line.set_color(colors.lines)
        legend = ax.get_legend()
        if legend is not None:
            legend.get_frame().set_facecolor(colors.background)
            legend.get_frame().set_edgecolor(colors.lines)
            for text in legend.get_texts():
                text.set_color(colors.text)
