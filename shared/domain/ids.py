"""Tenant IDs: stable, URL-safe, never reused.

A tenant ID is ``t`` followed by 12 characters of lowercase Crockford base32 (60 random bits),
for example ``t4k9x2m7qz0ab``. It is safe in URLs, file names and PostgreSQL identifiers, so the
tenant's database and role names derive from it directly (see ``tenant_database_name``). The
registry never deletes a tenant row (a deleted tenant keeps its row with state ``deleted``), so an
ID is never handed out twice.
"""

from __future__ import annotations

import re
import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_BODY_LENGTH = 12
TENANT_ID_PATTERN = re.compile(rf"^t[{_ALPHABET}]{{{_BODY_LENGTH}}}$")


def new_tenant_id() -> str:
    """Return a fresh random tenant ID (uniqueness is enforced by the registry's primary key)."""
    return "t" + "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LENGTH))


def is_tenant_id(value: str) -> bool:
    """Tell whether `value` has the shape of a tenant ID."""
    return bool(TENANT_ID_PATTERN.match(value))


def tenant_database_name(prefix: str, tenant_id: str) -> str:
    """The tenant's database name, which is also the name of its login role: ``<prefix>_<id>``."""
    if not is_tenant_id(tenant_id):
        raise ValueError(f"not a tenant id: {tenant_id!r}")
    return f"{prefix}_{tenant_id}"
