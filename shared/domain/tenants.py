"""What a tenant can be: its life cycle in the registry."""

from __future__ import annotations

from enum import StrEnum


class TenantState(StrEnum):
    """`active` serves its customers and managers; `inactive` keeps its data but refuses logins and
    WhatsApp orders; `deleted` has no database any more (its registry row stays for the record)."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DELETED = "deleted"
