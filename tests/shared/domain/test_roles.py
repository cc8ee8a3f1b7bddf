"""Tests for comandia.shared.domain.roles."""

from __future__ import annotations

import dataclasses

import pytest

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.roles import Principal, Role, check_role_scope, parse_role

OWN = "t4k9x2m7qz0ab"
OTHER = "t000000000000"

ADMIN = Principal(user_id=1, username="root", role=Role.SUPERADMIN, tenant_id=None)
MANAGER = Principal(user_id=2, username="ana", role=Role.MANAGER, tenant_id=OWN)
VIEWER = Principal(user_id=3, username="luis", role=Role.VIEWER, tenant_id=OWN)


@pytest.mark.parametrize(
    ("principal", "tenant_id", "can_read", "can_write"),
    [
        (ADMIN, OWN, True, True),
        (ADMIN, OTHER, True, True),
        (MANAGER, OWN, True, True),
        (MANAGER, OTHER, False, False),
        (VIEWER, OWN, True, False),
        (VIEWER, OTHER, False, False),
    ],
)
def test_access_follows_role_and_tenant(principal: Principal, tenant_id: str, can_read: bool, can_write: bool) -> None:
    assert principal.can_read_tenant(tenant_id) is can_read
    assert principal.can_write_tenant(tenant_id) is can_write


def test_only_the_superadmin_is_superadmin() -> None:
    assert ADMIN.is_superadmin()
    assert not MANAGER.is_superadmin()
    assert not VIEWER.is_superadmin()


def test_a_superadmin_must_have_no_tenant() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_role_scope(Role.SUPERADMIN, OWN)

    assert set(caught.value.fields) == {"tenant_id"}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_managers_and_viewers_must_have_a_tenant(role: Role) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_role_scope(role, None)

    assert set(caught.value.fields) == {"tenant_id"}
    check_role_scope(role, OWN)


def test_a_principal_whose_role_and_tenant_disagree_cannot_be_built() -> None:
    with pytest.raises(ValidationFailed):
        Principal(user_id=4, username="x", role=Role.MANAGER, tenant_id=None)


def test_a_role_read_from_storage_as_text_becomes_a_role() -> None:
    principal = Principal(user_id=5, username="y", role="viewer", tenant_id=OWN)  # type: ignore[arg-type]

    assert principal.role is Role.VIEWER
    assert not principal.can_write_tenant(OWN)


def test_principals_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        MANAGER.tenant_id = OTHER  # type: ignore[misc]


def test_parse_role_reads_values_and_names_the_field_otherwise() -> None:
    assert parse_role("manager") is Role.MANAGER
    with pytest.raises(ValidationFailed) as caught:
        parse_role("owner")

    assert set(caught.value.fields) == {"role"}
