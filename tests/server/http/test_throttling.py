"""Login throttling per user and per address, with an injected clock (RELIABILITY S6)."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest

from comandia.server.services.auth.hashing import PasswordHashing
from comandia.server.services.auth.logins import AuthService
from comandia.server.services.auth.passwords import verify_password
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import TooManyRequests, Unauthorized
from tests.plugins.api import PASSWORD, World, make_actor
from tests.plugins.clock import Clock


def _fail(service: AuthService, username: str, address: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Unauthorized):
            service.login(username, "wrong password", address)


def test_an_account_is_throttled_from_any_address_after_five_failures(runtime: Runtime, world: World) -> None:
    clock = Clock()
    service = AuthService(runtime.databases, dt.timedelta(hours=1), clock=clock)
    actor = make_actor(runtime, "viewer", world.tenant_a.id)
    for attempt in range(5):
        _fail(service, actor.username, f"10.0.0.{attempt}", 1)
    with pytest.raises(TooManyRequests):
        service.login(actor.username, PASSWORD, "10.9.9.9")  # even the right password waits
    clock.now += dt.timedelta(minutes=31)
    assert service.login(actor.username, PASSWORD, "10.9.9.9").user.id == actor.user_id


def test_unknown_user_names_get_the_same_answers(runtime: Runtime) -> None:
    service = AuthService(runtime.databases, dt.timedelta(hours=1), clock=Clock())
    name = f"ghost-{secrets.token_hex(3)}"
    _fail(service, name, f"10.1.{secrets.randbelow(250)}.1", 5)
    with pytest.raises(TooManyRequests) as caught:
        service.login(name, "wrong password", "10.2.2.2")
    assert caught.value.detail == "too many failed logins; try again later"


def test_an_address_is_throttled_for_every_name(runtime: Runtime, world: World) -> None:
    service = AuthService(runtime.databases, dt.timedelta(hours=1), clock=Clock())
    address = f"192.0.2.{secrets.randbelow(250)}"
    for index in range(5):
        _fail(service, f"someone-{index}-{secrets.token_hex(2)}", address, 1)
    with pytest.raises(TooManyRequests):
        service.login(world.manager_a.username, world.manager_a.password, address)


def test_a_success_clears_the_accounts_failures(runtime: Runtime, world: World) -> None:
    service = AuthService(runtime.databases, dt.timedelta(hours=1), clock=Clock())
    actor = make_actor(runtime, "viewer", world.tenant_a.id)
    _fail(service, actor.username, "198.51.100.7", 4)
    service.login(actor.username, PASSWORD, "198.51.100.8")
    _fail(service, actor.username, "198.51.100.9", 4)
    assert service.login(actor.username, PASSWORD, "198.51.100.10").token


def test_a_throttled_login_does_not_hash_at_all(runtime: Runtime, world: World) -> None:
    calls: list[str | None] = []

    def counting_verify(stored: str | None, password: str) -> bool:
        calls.append(stored)
        return verify_password(stored, password)

    service = AuthService(
        runtime.databases, dt.timedelta(hours=1), clock=Clock(), hashing=PasswordHashing(verify=counting_verify)
    )
    address = f"203.0.113.{secrets.randbelow(250)}"
    _fail(service, f"ghost-{secrets.token_hex(3)}", address, 5)
    assert len(calls) == 5
    for name in (f"ghost-{secrets.token_hex(3)}", world.manager_a.username):
        with pytest.raises(TooManyRequests):
            service.login(name, "wrong password", address)
    assert len(calls) == 5
