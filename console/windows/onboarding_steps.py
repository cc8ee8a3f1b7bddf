"""The onboarding wizard's background work: connecting a number and the go-live checklist."""

from __future__ import annotations

from dataclasses import dataclass

from comandia.shared.client import ApiClient
from comandia.shared.client.numbers import NumbersApi
from comandia.shared.schemas.numbers import NewNumber, NumberInfo

PROVIDERS = ("sandbox", "meta", "360dialog", "twilio")


@dataclass(frozen=True)
class Checklist:
    """What is ready for going live (None: this server cannot tell)."""

    tenant_active: bool
    number_connected: bool | None
    catalog_ready: bool
    manager_exists: bool
    chat_tested: bool

    @property
    def ready(self) -> bool:
        return all(
            v is not False
            for v in (
                self.tenant_active,
                self.number_connected,
                self.catalog_ready,
                self.manager_exists,
                self.chat_tested,
            )
        )

    def missing(self) -> list[str]:
        """The checklist keys (``onb.check_*``) still failing."""
        pairs = (
            ("onb.check_tenant", self.tenant_active),
            ("onb.check_number", self.number_connected),
            ("onb.check_catalog", self.catalog_ready),
            ("onb.check_manager", self.manager_exists),
            ("onb.check_chat", self.chat_tested),
        )
        return [key for key, ok in pairs if ok is False]


def connect_number(client: ApiClient, tenant_id: str, provider: str, e164: str, secrets: dict[str, str]) -> NumberInfo:
    given = {name: value for name, value in secrets.items() if value}
    return NumbersApi(client.transport).add(tenant_id, NewNumber(provider=provider, e164=e164, **given))


def check_go_live(client: ApiClient, tenant_id: str, numbers_api: bool, chat_tested: bool) -> Checklist:
    tenant = client.tenants.get(tenant_id)
    numbers = NumbersApi(client.transport).list(tenant_id) if numbers_api else None
    products = client.catalog.list_products(tenant_id, available_only=True)
    managers = [u for u in client.users.list(tenant_id) if u.role == "manager" and not u.disabled]
    return Checklist(
        tenant_active=tenant.state == "active",
        number_connected=None if numbers is None else any(n.state != "removed" for n in numbers),
        catalog_ready=bool(products),
        manager_exists=bool(managers),
        chat_tested=chat_tested,
    )
