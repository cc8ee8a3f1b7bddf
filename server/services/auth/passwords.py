"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from comandia.shared.domain.errors import ValidationFailed

MIN_LENGTH = 8
MAX_LENGTH = 256

_hasher = PasswordHasher()
# Verifying against this when the user does not exist costs the same time as a real check,
# so the answer's timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("comandia-dummy-password")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(f"password must have at least {MIN_LENGTH} characters", {"password": "too short"})
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(f"password must have at most {MAX_LENGTH} characters", {"password": "too long"})


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant-work check; `stored_hash` None means "no such user" and always fails."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
