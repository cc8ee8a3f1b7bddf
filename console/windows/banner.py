"""`Banner`: a non-blocking error line with Retry and Dismiss, above the pages."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from comandia.console.i18n import Translator


class Banner(QFrame):
    """Shows the last failure; Retry runs the failed call again.

    Signals: none (buttons act directly).
    """

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")  # yellow in the theme (console/theme.py)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.retry_button = QPushButton(tr("banner.retry"))
        self.dismiss_button = QPushButton(tr("banner.close"))
        row = QHBoxLayout(self)
        row.addWidget(self.text, 1)
        row.addWidget(self.retry_button)
        row.addWidget(self.dismiss_button)
        self._retry: Callable[[], None] | None = None
        self.retry_button.clicked.connect(self.retry)
        self.dismiss_button.clicked.connect(self.hide)
        self.hide()

    def show_error(self, text: str, retry: Callable[[], None] | None) -> None:
        self.text.setText(text)
        self._retry = retry
        self.retry_button.setVisible(retry is not None)
        self.show()

    def retry(self) -> None:
        self.hide()
        if self._retry is not None:
            self._retry()
