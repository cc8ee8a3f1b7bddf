"""Password hashing with argon2id at OWASP's first recommended setting (RELIABILITY S5).

m = 19 MiB, t = 2, p = 1. One lane means one thread: argon2-cffi's defaults (64 MiB, t = 3,
p = 4) start four threads per check, so on a 2-core appliance a single login took both cores
for ~0.1 s (1 s under load) and starved the webhooks beside it (L3). With one lane a check takes
one core for ~20-30 ms. Hashes stored with other parameters are rehashed at the next login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_

MIN_LENGTH = 8
MAX_LENGTH = 256

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this when the user does not exist costs the same time as a real check,
# so the answer's timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("comandia-dummy-password")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            "password must have at least {count} characters", {"password": N_("too short")}, count=MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(
            "password must have at most {count} characters", {"password": N_("too long")}, count=MAX_LENGTH
        )


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
