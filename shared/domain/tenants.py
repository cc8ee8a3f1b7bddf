"""What a tenant can be: its life cycle in the registry."""

from __future__ import annotations

from enum import StrEnum

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.names import clean_name

TENANT_NAME_MAX = 120
"""The most characters in a business's name once cleaned (the server, the wire schema and the
console's New tenant dialog all check this one rule); at least one is needed."""


class TenantState(StrEnum):
    """`active` serves its customers and managers; `inactive` keeps its data but refuses logins and
    WhatsApp orders; `deleted` has no database any more (its registry row stays for the record)."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DELETED = "deleted"


def clean_tenant_name(value: str) -> str:
    """A business's name as stored: cleaned like every typed name (see `clean_name`), 1 to
    `TENANT_NAME_MAX` characters.

    Raises:
        ValidationFailed: empty, with a control character, or too long (field ``name``).
    """
    return clean_name(value, "name", max_len=TENANT_NAME_MAX)


def is_tenant_name(value: str) -> bool:
    """Whether `clean_tenant_name` accepts `value` (for forms that check as the user types)."""
    try:
        clean_tenant_name(value)
    except ValidationFailed:
        return False
    return True
