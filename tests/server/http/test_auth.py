"""Logins, tokens and throttling over HTTP (RELIABILITY S4, S6)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests
import sqlalchemy as sa

from comandia.server.db.control_models import AuthToken
from comandia.server.wiring import Runtime
from comandia.shared.client import (
    ApiClient,
    TooManyRequestsError,
    UnauthorizedError,
)
from tests.plugins.api import World, make_actor

ClientFor = Callable[[str | None], ApiClient]

# every test here logs in from 127.0.0.1; earlier tests' failed logins must not throttle them
pytestmark = pytest.mark.usefixtures("forget_login_failures")


def test_login_returns_a_token_that_is_stored_only_as_its_hash(
    client_for: ClientFor, world: World, runtime: Runtime
) -> None:
    client = client_for(None)
    result = client.auth.login(world.manager_a.username, world.manager_a.password)
    assert len(result.token) >= 43 and result.user.username == world.manager_a.username
    assert result.expires_at.tzinfo is not None
    assert client.auth.me().id == world.manager_a.user_id
    with runtime.databases.control_session() as session:
        stored = session.scalars(sa.select(AuthToken.token_hash)).all()
    assert result.token not in stored
    assert all(result.token not in value for value in stored)


def test_each_login_gives_a_new_token(client_for: ClientFor, world: World) -> None:
    client = client_for(None)
    first = client.auth.login(world.viewer_a.username, world.viewer_a.password).token
    second = client.auth.login(world.viewer_a.username, world.viewer_a.password).token
    assert first != second


def test_logged_out_token_answers_401(client_for: ClientFor, world: World) -> None:
    client = client_for(None)
    token = client.auth.login(world.manager_b.username, world.manager_b.password).token
    client.auth.logout()
    with pytest.raises(UnauthorizedError):
        client_for(token).auth.me()


def test_expired_token_answers_401(client_for: ClientFor, expired_token: str) -> None:
    with pytest.raises(UnauthorizedError):
        client_for(expired_token).auth.me()


def test_wrong_password_is_401_problem_with_www_authenticate(api_url: str, world: World) -> None:
    response = requests.post(
        f"{api_url}/api/v1/auth/login",
        json={"username": world.viewer_a.username, "password": "nope-nope"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_disabling_a_user_ends_their_tokens_at_once(
    client_for: ClientFor, superadmin_client: ApiClient, runtime: Runtime, world: World
) -> None:
    actor = make_actor(runtime, "manager", world.tenant_a.id)
    assert client_for(actor.token).auth.me().username == actor.username
    superadmin_client.users.update(actor.user_id, disabled=True)
    with pytest.raises(UnauthorizedError):
        client_for(actor.token).auth.me()
    # the same answer as a wrong password: a guesser never learns that the password was right
    with pytest.raises(UnauthorizedError) as right:
        client_for(None).auth.login(actor.username, actor.password)
    with pytest.raises(UnauthorizedError) as wrong:
        client_for(None).auth.login(actor.username, "not the password")
    assert str(right.value) == str(wrong.value)


def test_password_change_ends_old_tokens_and_the_new_password_works(
    client_for: ClientFor, runtime: Runtime, world: World
) -> None:
    actor = make_actor(runtime, "viewer", world.tenant_a.id)
    client_for(actor.token).auth.change_password(actor.password, "a brand new password")
    with pytest.raises(UnauthorizedError):
        client_for(actor.token).auth.me()
    assert client_for(None).auth.login(actor.username, "a brand new password").user.id == actor.user_id


def test_deactivated_tenants_managers_cannot_log_in_and_lose_their_tokens(
    api_url: str, client_for: ClientFor, superadmin_client: ApiClient, runtime: Runtime
) -> None:
    tenant = superadmin_client.tenants.create(f"Cerrada {time.monotonic_ns()}")
    actor = make_actor(runtime, "manager", tenant.id)
    assert superadmin_client.tenants.deactivate(tenant.id).state == "inactive"
    with pytest.raises(UnauthorizedError):
        client_for(actor.token).auth.me()
    # the right password answers exactly like a wrong one: no oracle for a guesser
    answers = [
        requests.post(
            f"{api_url}/api/v1/auth/login", json={"username": actor.username, "password": password}, timeout=30
        )
        for password in (actor.password, "not the password")
    ]
    assert [answer.status_code for answer in answers] == [401, 401]
    assert answers[0].json() == answers[1].json()
    assert answers[0].headers.get("WWW-Authenticate") == answers[1].headers.get("WWW-Authenticate")
    superadmin_client.tenants.reactivate(tenant.id)
    assert client_for(None).auth.login(actor.username, actor.password).user.id == actor.user_id


def test_sixth_failed_login_is_throttled_and_answered_faster_than_a_hash(client_for: ClientFor, world: World) -> None:
    client = client_for(None)
    hashed = []
    for _ in range(5):
        started = time.perf_counter()
        with pytest.raises(UnauthorizedError):
            client.auth.login("nobody-here", "wrong password")
        hashed.append(time.perf_counter() - started)
    for name in ("nobody-here", world.viewer_a.username):  # the address is throttled for every name
        started = time.perf_counter()
        with pytest.raises(TooManyRequestsError) as caught:
            client.auth.login(name, "wrong password")
        # relative, not absolute: the machine may be busy, but skipping argon2 is always faster
        assert time.perf_counter() - started < min(hashed)
        assert caught.value.retry_after > 0
