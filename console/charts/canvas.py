"""`ChartView`: shows one `Figure` with FigureCanvasQTAgg in the theme's colours and saves it as PNG
(in the light ones, see `styling.py`)."""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from comandia.console.charts.styling import PRINTED, ChartColors, paint


class ChartView(QWidget):
    """A figure on screen; `show_figure` swaps it (the canvas is rebuilt, the widget stays).

    Signals: none.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.figure: Figure | None = None
        self.canvas: FigureCanvasQTAgg | None = None
        self.setMinimumHeight(260)

    def show_figure(self, figure: Figure) -> None:
        if self.canvas is not None:
            self._layout.removeWidget(self.canvas)
            self.canvas.deleteLater()
        self.figure = figure
        self.canvas = FigureCanvasQTAgg(figure)  # type: ignore[no-untyped-call]  # matplotlib ships no hints here
        self._layout.addWidget(self.canvas)
        self._repaint()

    def colors(self) -> ChartColors:
        """The chart colours of this widget's palette (the theme's)."""
        self.ensurePolished()  # a widget not yet shown takes the application's palette only when polished
        p = self.palette()
        return ChartColors(
            background=p.color(QPalette.ColorRole.Base).name(),
            text=p.color(QPalette.ColorRole.Text).name(),
            muted=p.color(QPalette.ColorRole.PlaceholderText).name(),
            lines=p.color(QPalette.ColorRole.Mid).name(),
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's naming
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):  # the theme switched
            self._repaint()
        super().changeEvent(event)

    def _repaint(self) -> None:
        if self.figure is not None and self.canvas is not None:
            paint(self.figure, self.colors())
            self.canvas.draw_idle()  # type: ignore[no-untyped-call]  # matplotlib ships no hints here

    def save_png(self, path: str) -> None:
        if self.figure is not None:
            paint(self.figure, PRINTED)
            self.figure.savefig(path, format="png", dpi=100, facecolor=PRINTED.background)
            self._repaint()
