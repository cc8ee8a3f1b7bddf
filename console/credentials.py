"""Remember me: the token kept in the system keyring, never in a file.

When no usable keyring backend exists (a headless box, the `fail` backend), `available` is False:
the login dialog says so and the console does not remember.
"""

from __future__ import annotations

import contextlib
import json
import logging

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import fail

log = logging.getLogger(__name__)

SERVICE = "comandia-console"


class CredentialStore:
    """Saves one token per (server, user) and the last remembered pair.

    Args:
        backend: a keyring backend (tests inject one); the system's default otherwise.
    """

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    def _ring(self) -> keyring.backend.KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    @property
    def available(self) -> bool:
        ring = self._ring()
        if isinstance(ring, fail.Keyring):
            return False
        try:
            return float(ring.priority) > 0
        except Exception:  # noqa: BLE001 - a backend that cannot even say its priority is unusable
            return False

    def save(self, server_url: str, username: str, token: str) -> bool:
        """Remember `token`; False when there is no keyring to keep it in."""
        if not self.available:
            return False
        try:
            self._ring().set_password(SERVICE, "last", json.dumps({"url": server_url, "user": username}))
            self._ring().set_password(SERVICE, f"{username}@{server_url}", token)
        except keyring.errors.KeyringError:
            log.warning("the keyring refused the token; not remembering")
            return False
        return True

    def load(self) -> tuple[str, str, str] | None:
        """(server_url, username, token) remembered last, or None."""
        if not self.available:
            return None
        try:
            last = self._ring().get_password(SERVICE, "last")
            if not last:
                return None
            data = json.loads(last)
            token = self._ring().get_password(SERVICE, f"{data['user']}@{data['url']}")
        except (keyring.errors.KeyringError, ValueError, KeyError):
            return None
        return (str(data["url"]), str(data["user"]), token) if token else None

    def forget(self, server_url: str, username: str) -> None:
        if not self.available:
            return
        for name in (f"{username}@{server_url}", "last"):
            with contextlib.suppress(keyring.errors.KeyringError):  # nothing stored under that name
                self._ring().delete_password(SERVICE, name)
