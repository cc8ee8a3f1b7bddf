"""`RecordTableModel`: rows of schema objects, shown by columns, paged in on demand.

The model never calls the API: when the view scrolls near the end, `fetchMore` emits
`moreWanted(cursor)`; the page runs the request in the background and hands the rows back with
`append_page`. So 10,000 orders arrive 200 at a time while the user scrolls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
WARN_BACKGROUND, WARN_FOREGROUND = QColor("#fde2e1"), QColor("#9b1c1c")


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its header and how to show (and sort) a record in it.

    `warn(record)` true paints the cell in the warning colours; the text should say why as well
    (colour alone does not reach every reader).
    """

    title: str
    text: Callable[[T], str]
    sort_key: Callable[[T], Any] | None = None
    right: bool = False
    warn: Callable[[T], bool] | None = None


class RecordTableModel(QAbstractTableModel, Generic[T]):
    """A table of records with optional paging.

    Signals:
        moreWanted(str): the view wants the page after this cursor; answer with `append_page`.
    """

    moreWanted = Signal(str)

    def __init__(self, columns: Sequence[Column[T]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[T] = []
        # Shown texts per row, made on first paint: a view asks data() for many roles per cell
        # on every repaint, and formatting dates and money each time would stall the GUI thread.
        self._texts: list[tuple[str, ...] | None] = []
        self._align = [
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if c.right else None for c in self._columns
        ]
        self._cursor: str | None = None
        self._waiting = False
        self._shown_titles: dict[int, str] = {}

    def show_title(self, section: int, text: str | None) -> None:
        """Show `text` (a title on two lines) in the header instead of the column's title; None
        goes back to the title. The title itself stays what exports and tooltips use."""
        if text is None:
            self._shown_titles.pop(section, None)
        else:
            self._shown_titles[section] = text
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, section, section)

    # --- feeding -------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[T], next_cursor: str | None = None) -> None:
        """Replace everything (a new query); `next_cursor` None means there is no more."""
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [None] * len(self._rows)
        self._cursor, self._waiting = next_cursor, False
        self.endResetModel()

    def append_page(self, rows: Sequence[T], next_cursor: str | None) -> None:
        self._waiting = False
        self._cursor = next_cursor
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self._texts.extend([None] * len(rows))
            self.endInsertRows()

    def prepend(self, rows: Sequence[T]) -> None:
        """Put new records (new orders from the poll) on top."""
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows[0:0] = rows
            self._texts[0:0] = [None] * len(rows)
            self.endInsertRows()

    def replace(self, row: int, record: T) -> None:
        self._rows[row] = record
        self._texts[row] = None
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    def page_failed(self) -> None:
        """The page request failed: allow `fetchMore` to ask again later."""
        self._waiting = False

    def record(self, row: int) -> T:
        return self._rows[row]

    def records(self) -> list[T]:
        return list(self._rows)

    # --- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._columns)

    def texts(self, row: int) -> tuple[str, ...]:
        """The shown text of every column of `row` (made once, then kept)."""
        texts = self._texts[row]
        if texts is None:
            record = self._rows[row]
            texts = self._texts[row] = tuple(column.text(record) for column in self._columns)
        return texts

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.texts(index.row())[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align[index.column()]
        if role == SORT_ROLE:
            column, record = self._columns[index.column()], self._rows[index.row()]
            return column.sort_key(record) if column.sort_key else self.texts(index.row())[index.column()]
        if role == RECORD_ROLE:
            return self._rows[index.row()]
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            warn = self._columns[index.column()].warn
            if warn is not None and warn(self._rows[index.row()]):
                return WARN_BACKGROUND if role == Qt.ItemDataRole.BackgroundRole else WARN_FOREGROUND
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._shown_titles.get(section, self._columns[section].title)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._columns[section].title
        return None

    def title(self, section: int) -> str:
        return self._columns[section].title

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._cursor is not None and not self._waiting

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        if self.canFetchMore(parent) and self._cursor is not None:
            self._waiting = True
            self.moreWanted.emit(self._cursor)
