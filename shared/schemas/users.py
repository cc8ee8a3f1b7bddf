"""Users on the wire."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from comandia.shared.schemas.tenants import TENANT_ID_PATTERN
from comandia.shared.schemas.wire import Request, Wire, documented

USERNAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$"

Password = Annotated[str, msgspec.Meta(max_length=256, extra_json_schema={"minLength": 8})]
"""A password as sent (the services refuse one under 8 characters, with the reason)."""
RoleName = Literal["superadmin", "manager", "viewer"]
ROLES: tuple[RoleName, ...] = ("superadmin", "manager", "viewer")


class UserInfo(Wire, frozen=True):
    id: int
    username: str
    role: Annotated[str, documented(enum=list(ROLES))]
    tenant_id: str | None
    disabled: bool


class UserList(Wire, frozen=True):
    items: tuple[UserInfo, ...]


class NewUserRequest(Request, frozen=True):
    """A login to create; managers and viewers name their tenant."""

    username: Annotated[str, msgspec.Meta(max_length=64), documented(pattern=USERNAME_PATTERN)]
    password: Password
    role: RoleName
    tenant_id: Annotated[str, msgspec.Meta(max_length=13), documented(pattern=TENANT_ID_PATTERN)] | None = None


class UserChange(Request, frozen=True, omit_defaults=True):
    """Disable or enable a login, or reset its password; both end its sessions."""

    disabled: bool | None = None
    password: Password | None = None
