"""The real app under Waitress on loopback, and logged-in API clients for every role.

`api_url` serves `create_app(runtime.services)` on 127.0.0.1 with an ephemeral port in a daemon
thread for the whole session. Tenants A and B, and a superadmin, a manager of A, a manager of B
and a viewer of A are made once per session; their tokens are issued by the auth service
directly (not over HTTP), so tests that provoke login throttling cannot lock the fixtures out.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from waitress.server import BaseWSGIServer, create_server

from comandia.server.app import create_app
from comandia.server.db.control_models import LoginFailure
from comandia.server.services.bundle import Services
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Collaborators, Runtime
from comandia.shared.client import ApiClient
from comandia.shared.schemas.tenants import TenantInfo

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Actor:
    """A user the tests act as: their name, password, id and a fresh token."""

    username: str
    password: str
    user_id: int
    token: str


@dataclass(frozen=True)
class World:
    """Two tenants and one user per role, shared by the session."""

    tenant_a: TenantInfo
    tenant_b: TenantInfo
    superadmin: Actor
    manager_a: Actor
    manager_b: Actor
    viewer_a: Actor


@contextmanager
def served(services: Services, threads: int = 8) -> Iterator[str]:
    """The app of `services` on Waitress on a free loopback port, as comandia-server serves it:
    proxy headers reach the app, which decides whom to believe."""
    server = create_server(
        create_app(services), host="127.0.0.1", port=0, threads=threads, clear_untrusted_proxy_headers=False
    )
    thread = threading.Thread(target=server.run, name="waitress-tests", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop(server, thread)


def stop(server: BaseWSGIServer, thread: threading.Thread) -> None:
    """Closes every socket of `server` from inside its loop thread, then waits for the loop to end.

    Closed from this thread, a socket can vanish while the loop waits on it in select(), which then
    fails with EBADF in the loop thread (and pytest fails the test that happened to be running)."""

    def close_all() -> None:
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    server.trigger.pull_trigger(close_all)
    thread.join(timeout=5)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)


@pytest.fixture(scope="session")
def api_url(runtime: Runtime) -> Iterator[str]:
    with served(runtime.services) as url:
        yield url


def make_actor(runtime: Runtime, role: str, tenant_id: str | None, password: str = PASSWORD) -> Actor:
    """A new user with `role` and a token issued directly by the auth service."""
    name = f"{role}-{secrets.token_hex(4)}"
    user = runtime.users.create(name, password, role, tenant_id, actor="tests")
    result = runtime.services.auth.login(name, password, address="fixture")
    return Actor(name, password, user.id, result.token)


@pytest.fixture(scope="session")
def world(runtime: Runtime) -> World:
    tenant_a = runtime.tenants.create(NewTenant(name=f"Tienda A {secrets.token_hex(3)}"), actor="tests")
    tenant_b = runtime.tenants.create(NewTenant(name=f"Tienda B {secrets.token_hex(3)}"), actor="tests")
    return World(
        tenant_a=tenant_a,
        tenant_b=tenant_b,
        superadmin=make_actor(runtime, "superadmin", None),
        manager_a=make_actor(runtime, "manager", tenant_a.id),
        manager_b=make_actor(runtime, "manager", tenant_b.id),
        viewer_a=make_actor(runtime, "viewer", tenant_a.id),
    )


@pytest.fixture(scope="session")
def expired_token(runtime: Runtime, world: World) -> str:
    """A token of manager A that expired long ago (issued by a clock two days back)."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    service = runtime.rewired(Collaborators(clock=lambda: past)).auth
    return service.login(world.manager_a.username, world.manager_a.password, address="fixture").token


@pytest.fixture
def client_for(api_url: str) -> Iterator[Callable[[str | None], ApiClient]]:
    """Factory: `client_for(token)` -> an ApiClient on the test server, closed after the test."""
    made: list[ApiClient] = []

    def make(token: str | None = None) -> ApiClient:
        client = ApiClient(api_url, token=token)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def superadmin_client(client_for: Callable[[str | None], ApiClient], world: World) -> ApiClient:
    return client_for(world.superadmin.token)


@pytest.fixture
def manager_a_client(client_for: Callable[[str | None], ApiClient], world: World) -> ApiClient:
    return client_for(world.manager_a.token)


@pytest.fixture
def manager_b_client(client_for: Callable[[str | None], ApiClient], world: World) -> ApiClient:
    return client_for(world.manager_b.token)


@pytest.fixture
def viewer_a_client(client_for: Callable[[str | None], ApiClient], world: World) -> ApiClient:
    return client_for(world.viewer_a.token)


@pytest.fixture
def forget_login_failures(runtime: Runtime) -> Iterator[None]:
    """Clear the failed-login records around a test that fails logins from 127.0.0.1."""

    def forget() -> None:
        with runtime.databases.control_session() as session:
            session.execute(sa.delete(LoginFailure))
            session.commit()
        runtime.services.auth.forget_refusals()

    forget()
    yield
    forget()
