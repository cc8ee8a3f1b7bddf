"""`SearchSortProxy`: text search over every column and sorting by each column's real value."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from comandia.console.models.table import SORT_ROLE


class SearchSortProxy(QSortFilterProxyModel):
    """Filters rows whose shown text contains the search (any column), sorts by `SORT_ROLE`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex) -> bool:
        a: Any = self.sourceModel().data(left, SORT_ROLE)
        b: Any = self.sourceModel().data(right, SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:  # None against a value: empty sorts first
            return a is None and b is not None
