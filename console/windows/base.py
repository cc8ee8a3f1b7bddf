"""`Page`: what every page of the main window has (context, a busy bar, a reload)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QDateEdit, QLabel, QProgressBar, QTableView, QVBoxLayout, QWidget

from comandia.console.context import AppContext
from comandia.console.errors import user_message
from comandia.console.models.table import RecordTableModel
from comandia.shared.client import ApiClient, UnauthorizedError

SAMPLE_ROWS = 30


def fit_columns(table: QTableView, model: RecordTableModel[Any]) -> None:
    """Size columns to the header and the first rows (not every row: that would stall on big tables).
    A title wider than its column's values goes on two lines ("Clientes / activos"), so a table of
    short figures under long titles fits a laptop's screen instead of hiding its last columns."""
    metrics = table.fontMetrics()
    header = QFont(table.horizontalHeader().font())
    header.setBold(True)  # most styles draw header titles in bold: measure them so
    header_metrics = QFontMetrics(header)
    last = model.columnCount() - 1
    for column in range(model.columnCount()):
        title = model.title(column)
        texts = [model.texts(row)[column] for row in range(min(SAMPLE_ROWS, model.rowCount()))]
        values = max((metrics.horizontalAdvance(t) for t in texts), default=0)
        shown = title
        if texts and values < header_metrics.horizontalAdvance(title):
            shown = _two_lines(title, header_metrics)
        model.show_title(column, None if shown == title else shown)
        if column < last:  # the last column stretches
            widest = max([values, *(header_metrics.horizontalAdvance(line) for line in shown.split("\n"))])
            table.setColumnWidth(column, min(320, widest + 24))


def _two_lines(title: str, metrics: QFontMetrics) -> str:
    """`title` broken at the space that makes its wider line narrowest; a one-word title stays whole."""
    words = title.split(" ")
    if len(words) < 2:
        return title
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(splits, key=lambda s: max(metrics.horizontalAdvance(s[0]), metrics.horizontalAdvance(s[1])))
    return f"{first}\n{second}"


def set_date_format(edit: QDateEdit, language: str) -> None:
    edit.setDisplayFormat("yyyy-MM-dd" if language == "en" else "dd/MM/yyyy")


class Page(QWidget):
    """A page; subclasses fill `self.body` and implement `reload()`.

    Signals:
        message(str): a short status line for the main window's status bar.
    """

    message = Signal(str)
    needs_tenant = False

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.i18n = ctx.tr
        outer = QVBoxLayout(self)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: the server does not report progress
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.progress.hide()
        outer.addWidget(self.progress)
        outer.addWidget(self.notice)
        self.body = QVBoxLayout()
        outer.addLayout(self.body)
        self._pending = 0

    def reload(self) -> None:
        """Load (again) what the page shows."""

    def call(
        self,
        work: Callable[[ApiClient], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_settled: Callable[[], None] | None = None,
    ) -> None:
        """Run `work` in the background with the busy bar shown; errors go to the banner by default.

        `on_settled()` runs first once the work ended, whatever the outcome — also on a 401, which
        skips `on_error` (the login comes back instead), so a page can always leave its busy state.
        """
        self._pending += 1
        self.progress.show()
        fmt = self.ctx.fmt

        @functools.wraps(work)  # the runner names a slow result by its task
        def background(client: ApiClient) -> Any:
            fmt.prepare()
            return work(client)

        def done(result: Any) -> None:
            self._settle(on_settled)
            if on_done is not None:
                on_done(result)

        def failed(error: Exception) -> None:
            self._settle(on_settled)
            if isinstance(error, UnauthorizedError):
                return  # the runner brought the login back; the page reloads after it
            if on_error is not None:
                on_error(error)
            else:
                raise_to_banner(error)

        def raise_to_banner(error: Exception) -> None:
            self.ctx.runner.failed.emit(error, lambda: self.call(work, on_done, on_error, on_settled))

        self.ctx.runner.run(background, done, failed)

    def _settle(self, on_settled: Callable[[], None] | None = None) -> None:
        self._pending = max(0, self._pending - 1)
        if not self._pending:
            self.progress.hide()
        if on_settled is not None:
            on_settled()

    def say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def say_error(self, error: Exception) -> None:
        self.say(user_message(error, self.i18n))
