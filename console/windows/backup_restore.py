"""The "Restore as new tenant…" dialog: the new tenant's name, checked as it is typed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from comandia.console.i18n import Translator

NAME_MAX = 120  # the server's limit for a tenant name


class RestoreDialog(QDialog):
    """Asks the name of the tenant a backup becomes; non-modal so tests can drive it.

    Signals:
        chosen(str): the user confirmed this (non-empty, trimmed) name.
    """

    chosen = Signal(str)

    def __init__(self, tr: Translator, tenant: str, when: str, suggestion: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("backups.restore_title"))
        self.setWindowModality(Qt.WindowModality.NonModal)
        intro = QLabel(tr("backups.restore_intro", tenant=tenant, when=when))
        intro.setWordWrap(True)
        self.name = QLineEdit(suggestion)
        self.name.setMaxLength(NAME_MAX)
        self.problem = QLabel(tr("backups.name_required"))
        self.problem.setObjectName("error")  # red in the theme
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.next_button = self.buttons.addButton(tr("backups.restore_next"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("common.cancel"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._check)
        form = QFormLayout()
        form.addRow(tr("backups.new_name"), self.name)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())
        self._check()

    def _check(self) -> None:
        valid = bool(self.name.text().strip())
        self.problem.setVisible(not valid)
        self.next_button.setEnabled(valid)

    def _accept(self) -> None:
        name = self.name.text().strip()
        if name:
            self.accept()
            self.chosen.emit(name)
