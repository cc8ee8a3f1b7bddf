"""`AppContext`: what every page shares (tasks, connection, language, settings, current tenant)."""

from __future__ import annotations

from dataclasses import dataclass, field

from comandia.console.connection import Connection
from comandia.console.credentials import CredentialStore
from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.console.settings import ConsoleSettings
from comandia.console.tasks import TaskRunner
from comandia.shared.schemas.tenants import TenantInfo


@dataclass
class AppContext:
    runner: TaskRunner
    settings: ConsoleSettings
    credentials: CredentialStore
    tr: Translator
    tenant: TenantInfo | None = None
    tenants: list[TenantInfo] = field(default_factory=list)

    @property
    def connection(self) -> Connection:
        return self.runner.connection

    @property
    def fmt(self) -> TenantFormat:
        if self.tenant is None:
            return TenantFormat(language=self.tr.language)
        return TenantFormat(self.tenant.timezone, self.tenant.currency, self.tr.language, self.tenant.country_locale)
