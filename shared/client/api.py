"""`ApiClient`: the one way the console and the tests talk to the server."""

from __future__ import annotations

from types import TracebackType

import requests

from comandia.shared.client.audit import AuditApi
from comandia.shared.client.auth import AuthApi
from comandia.shared.client.backups import BackupsApi
from comandia.shared.client.catalog import CatalogApi
from comandia.shared.client.conversations import ConversationsApi
from comandia.shared.client.customers import CustomersApi
from comandia.shared.client.orders import OrdersApi
from comandia.shared.client.sandbox import SandboxApi
from comandia.shared.client.tenants import TenantsApi
from comandia.shared.client.transport import DEFAULT_TIMEOUT, Transport
from comandia.shared.client.users import UsersApi


class ApiClient:
    """Typed access to /api/v1, grouped by noun (`client.auth.login(...)`, `client.tenants.list()`).

    Methods return `comandia.shared.schemas` objects and raise `comandia.shared.client.errors`
    types. Not thread-safe (one `requests.Session`): use one client per thread.

    Args:
        base_url: the server, e.g. ``http://127.0.0.1:8080``.
        token: a bearer token from an earlier login, if any.
        session: a `requests.Session` to use (closed by `close()`).
        timeout: seconds to wait for each answer.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        language: str | None = None,
    ) -> None:
        self.transport = Transport(base_url, token, session, timeout, language)
        self.auth = AuthApi(self.transport)
        self.tenants = TenantsApi(self.transport)
        self.users = UsersApi(self.transport)
        self.catalog = CatalogApi(self.transport)
        self.customers = CustomersApi(self.transport)
        self.orders = OrdersApi(self.transport)
        self.sandbox = SandboxApi(self.transport)
        self.conversations = ConversationsApi(self.transport)
        self.audit = AuditApi(self.transport)
        self.backups = BackupsApi(self.transport)

    @property
    def token(self) -> str | None:
        return self.transport.token

    @token.setter
    def token(self, value: str | None) -> None:
        self.transport.token = value

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
