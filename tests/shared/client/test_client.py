"""The API client: typed results, typed errors with the problem detail, unreachable servers."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable

import pytest

from comandia.shared.client import (
    ApiClient,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServerUnreachable,
    UnauthorizedError,
    ValidationError,
)
from comandia.shared.client.errors import error_for
from comandia.shared.schemas.catalog import CategoryInput
from tests.plugins.api import World

ClientFor = Callable[[str | None], ApiClient]


def test_validation_errors_carry_the_fields(manager_a_client: ApiClient, world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        manager_a_client.catalog.create_category(world.tenant_a.id, CategoryInput(name="   "))
    assert caught.value.status == 422 and "name" in caught.value.fields


def test_conflict_forbidden_and_not_found_are_typed(
    manager_a_client: ApiClient, viewer_a_client: ApiClient, world: World
) -> None:
    tenant = world.tenant_a.id
    created = manager_a_client.catalog.create_category(tenant, CategoryInput(name="Postres únicos"))
    assert created.name == "Postres únicos"
    with pytest.raises(ConflictError):
        manager_a_client.catalog.create_category(tenant, CategoryInput(name="postres ÚNICOS"))
    with pytest.raises(ForbiddenError):
        viewer_a_client.catalog.create_category(tenant, CategoryInput(name="Otra"))
    with pytest.raises(NotFoundError) as caught:
        manager_a_client.catalog.get_product(tenant, 999_999_999)
    assert caught.value.detail


def test_a_client_without_a_token_is_unauthorized(client_for: ClientFor) -> None:
    with pytest.raises(UnauthorizedError) as caught:
        client_for(None).auth.me()
    assert caught.value.title == "No autorizado"  # Spanish unless the client asks for English


def test_superadmin_manages_users_and_sees_tenants(superadmin_client: ApiClient, world: World) -> None:
    ids = {tenant.id for tenant in superadmin_client.tenants.list()}
    assert {world.tenant_a.id, world.tenant_b.id} <= ids
    user = superadmin_client.users.create(
        f"cliente.{secrets.token_hex(3)}", "a good password", "viewer", world.tenant_a.id
    )
    assert user in superadmin_client.users.list(tenant_id=world.tenant_a.id)
    assert superadmin_client.users.update(user.id, disabled=True).disabled


def test_an_unreachable_server_raises_server_unreachable() -> None:
    with socket.socket() as probe:  # a port nobody listens on: bind, note it, close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with ApiClient(f"http://127.0.0.1:{port}", timeout=2) as client, pytest.raises(ServerUnreachable):
        client.auth.me()


def test_error_for_maps_statuses_and_reads_retry_after() -> None:
    error = error_for(429, {"title": "Too many requests", "detail": "wait"}, "120")
    assert error.status == 429 and getattr(error, "retry_after", None) == 120
    assert isinstance(error_for(412, {}), ConflictError)
    assert error_for(418, {}).title == "HTTP error"
