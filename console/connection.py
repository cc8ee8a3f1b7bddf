"""Where the console is logged in: server URL, token, user; one API client per worker thread.

`ApiClient` is not thread-safe, so each thread of the pool gets its own (kept for reuse and
closed together by `close()`). Nothing here touches Qt. The client and `requests` are imported
on the first request, in a worker thread, so the login window shows without waiting for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests

    from comandia.shared.client import ApiClient
    from comandia.shared.schemas.users import UserInfo


def requests_session() -> requests.Session:
    """A plain `requests` session, imported on the first request: the login window waits for neither."""
    import requests  # noqa: PLC0415 - lazy: `requests` takes ~0.4 s to import, after the window shows

    return requests.Session()


@dataclass
class Connection:
    """The logged-in session: `token` changes when the user logs in again."""

    base_url: str
    token: str | None = None
    user: UserInfo | None = None
    timeout: float = 15.0
    capabilities: frozenset[str] = frozenset()
    server_version: str = ""
    """The server's release as its OpenAPI document says (empty until logged in)."""
    language: str = "es"
    """The console's language, asked of the server for its error texts (`Accept-Language`)."""
    session_factory: Callable[[], requests.Session] = requests_session  # a fake session for demos
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _made: list[ApiClient] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def is_superadmin(self) -> bool:
        return self.user is not None and self.user.role == "superadmin"

    def offers(self, path: str) -> bool:
        """Tell whether the server routes `path` (a template from `comandia.shared.client.capabilities`)."""
        return path in self.capabilities

    def client(self) -> ApiClient:
        """This thread's client, carrying the current token."""
        client: ApiClient | None = getattr(self._local, "client", None)
        if client is None or client.transport.base_url != self.base_url.rstrip("/"):
            from comandia.shared.client import ApiClient  # noqa: PLC0415 - on the first request, see the module

            client = ApiClient(self.base_url, session=self.session_factory(), timeout=self.timeout)
            self._local.client = client
            with self._lock:
                self._made.append(client)
        client.token = self.token
        client.transport.language = self.language
        return client

    def close(self) -> None:
        with self._lock:
            made, self._made = self._made, []
        for client in made:
            client.close()
