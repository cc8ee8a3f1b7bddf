"""`ChartView`: shows one `Figure` with FigureCanvasQTAgg and saves it as PNG."""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtWidgets import QVBoxLayout, QWidget


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
        self.canvas.draw_idle()  # type: ignore[no-untyped-call]  # same

    def save_png(self, path: str) -> None:
        if self.figure is not None:
            self.figure.savefig(path, format="png", dpi=100)
