"""Who may do what: roles, the authenticated principal, and the tenant-scope rule.

A superadmin runs the appliance and belongs to no tenant. Managers and viewers belong to exactly
one tenant; managers change its data, viewers only read it. These checks answer yes or no; the
caller turns a no into `NotFound` (another tenant's data must look absent) or `Forbidden` (a viewer
writing to its own tenant).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_


class Role(StrEnum):
    """A user's role; the values are what the database and the API carry."""

    SUPERADMIN = "superadmin"
    MANAGER = "manager"
    VIEWER = "viewer"


def parse_role(value: str, field: str = "role") -> Role:
    """Read a role name sent by a client.

    Raises:
        ValidationFailed: `value` is not one of the `Role` values.
    """
    try:
        return Role(value)
    except ValueError:
        raise ValidationFailed(
            "unknown role '{value}'", {field: N_("must be one of: {names}")}, value=value, names=", ".join(Role)
        ) from None


def check_role_scope(role: Role, tenant_id: str | None) -> None:
    """Check that a user's tenant fits their role.

    Raises:
        ValidationFailed: (field ``tenant_id``) a superadmin with a tenant, or a manager or viewer
            without one.
        ValueError: `role` is not a `Role` value (use `parse_role` on client input).
    """
    role = Role(role)  # a plain "manager" read from storage compares by identity below
    if role is Role.SUPERADMIN and tenant_id is not None:
        raise ValidationFailed("a superadmin belongs to no tenant", {"tenant_id": N_("must be empty for a superadmin")})
    if role is not Role.SUPERADMIN and tenant_id is None:
        raise ValidationFailed(
            "a {role} belongs to one tenant", {"tenant_id": N_("is required for a {role}")}, role=role.value
        )


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user a request acts for.

    Construction runs `check_role_scope`, so a principal never has a role and tenant that
    disagree (a manager without a tenant would otherwise be checked against ``None``).

    Raises:
        ValidationFailed: from `check_role_scope`.
    """

    user_id: int
    username: str
    role: Role
    tenant_id: str | None

    def __post_init__(self) -> None:
        # Storage may hand over the role as a plain string; keep a real Role so `is` checks hold.
        object.__setattr__(self, "role", Role(self.role))
        check_role_scope(self.role, self.tenant_id)

    def is_superadmin(self) -> bool:
        """Tell whether this principal runs the whole appliance."""
        return self.role is Role.SUPERADMIN

    def can_read_tenant(self, tenant_id: str) -> bool:
        """Tell whether this principal may read `tenant_id`'s data: a superadmin any, others their own."""
        return self.is_superadmin() or self.tenant_id == tenant_id

    def can_write_tenant(self, tenant_id: str) -> bool:
        """Tell whether this principal may change `tenant_id`'s data.

        A superadmin may change any tenant's, a manager only their own, a viewer none.
        """
        if self.is_superadmin():
            return True
        return self.role is Role.MANAGER and self.tenant_id == tenant_id
