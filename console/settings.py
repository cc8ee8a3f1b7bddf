"""The console's remembered choices (QSettings): server, user, language, theme, onboarding progress."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QLocale, QSettings

from comandia.console.i18n import default_language


class ConsoleSettings:
    """Typed access to QSettings; tests pass an INI-file QSettings in a temporary folder."""

    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store if store is not None else QSettings("COMANDIA", "comandia-console")

    def _text(self, key: str, default: str = "") -> str:
        value = self._store.value(key, default)
        return str(value) if value is not None else default

    @property
    def server_url(self) -> str:
        return self._text("login/server_url", "http://127.0.0.1:8080")

    @server_url.setter
    def server_url(self, value: str) -> None:
        self._store.setValue("login/server_url", value)

    @property
    def username(self) -> str:
        return self._text("login/username")

    @username.setter
    def username(self, value: str) -> None:
        self._store.setValue("login/username", value)

    @property
    def language(self) -> str:
        return self._text("ui/language") or default_language(QLocale.system().name())

    @language.setter
    def language(self, value: str) -> None:
        self._store.setValue("ui/language", value)

    @property
    def theme(self) -> str:
        """``system`` (follow the desktop), ``light`` or ``dark``."""
        value = self._text("ui/theme", "system")
        return value if value in ("system", "light", "dark") else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        self._store.setValue("ui/theme", value)

    def onboarding(self, tenant_id: str) -> dict[str, Any]:
        """What the onboarding wizard stored for `tenant_id` (step reached, answers)."""
        raw = self._text(f"onboarding/{tenant_id}")
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:  # a hand-edited file: start the wizard over rather than crash
            data = {}
        return data if isinstance(data, dict) else {}

    def save_onboarding(self, tenant_id: str, progress: dict[str, Any]) -> None:
        self._store.setValue(f"onboarding/{tenant_id}", json.dumps(progress))
        self._store.sync()

    def onboarding_tenants(self) -> list[str]:
        self._store.beginGroup("onboarding")
        try:
            return list(self._store.childKeys())
        finally:
            self._store.endGroup()
