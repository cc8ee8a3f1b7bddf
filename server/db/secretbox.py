"""Encryption at rest for secrets kept in the control database (role passwords, provider tokens).

The key is `COMANDIA_SECRET_KEY` when set, else `secret.key` in the data directory, created on
first use with mode 0600. Losing the key makes stored secrets unreadable: back it up with the data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Encrypts and decrypts short strings with Fernet (AES-128-CBC + HMAC-SHA256)."""

    def __init__(self, key: str) -> None:
        self._key = _as_fernet_key(key)
        self._fernet = Fernet(self._key)

    def derived(self, label: str) -> SecretBox:
        """A box with a key of its own, derived from this one and `label` (HMAC-SHA256).

        One key per purpose and tenant: a row sealed for one tenant cannot be opened as another's.
        """
        digest = hmac.new(self._key, label.encode(), hashlib.sha256).digest()
        return SecretBox(base64.urlsafe_b64encode(digest).decode())

    def seal_bytes(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def open_bytes(self, token: bytes) -> bytes:
        """Decrypt `token`. Raises: ValueError (another key, or altered)."""
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as error:
            raise ValueError("sealed data cannot be decrypted: wrong COMANDIA_SECRET_KEY?") from error

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        """Decrypt `token`.

        Raises:
            ValueError: the token was sealed with another key or was altered.
        """
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise ValueError("secret cannot be decrypted: wrong COMANDIA_SECRET_KEY?") from error


def load_secret_box(secret_key: str | None, key_file: Path) -> SecretBox:
    """The box for the configured key, creating the key file when neither exists."""
    if secret_key:
        return SecretBox(secret_key)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    return SecretBox(key_file.read_text().strip())


def _as_fernet_key(key: str) -> bytes:
    # An operator may set any passphrase; a valid Fernet key is used as it is.
    try:
        if len(base64.urlsafe_b64decode(key.encode())) == 32:
            return key.encode()
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())
