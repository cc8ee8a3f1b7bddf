"""Issue 14, finding 5 (S17): every path that checks a password is throttled, atomically, on a
bounded hashing pool; an account over the limit is slowed, not shut; a disabled account answers
like a wrong password; X-Forwarded-For is believed only from a configured proxy."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from comandia.server.http.clients import ClientAddress
from comandia.server.services.auth.hashing import PasswordHashing
from comandia.server.services.auth.logins import AuthService
from comandia.server.services.auth.passwords import verify_password
from comandia.server.services.auth.throttle import MEMO_SECONDS, LoginThrottle, throttle_keys
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import TooManyRequests, Unauthorized
from tests.plugins.api import PASSWORD, World, make_actor
from tests.plugins.clock import Clock


class CountingVerify:
    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, stored: str | None, password: str) -> bool:
        with self.lock:
            self.calls += 1
        return verify_password(stored, password)


def test_password_change_is_throttled_before_hashing(
    api_url: str, runtime: Runtime, world: World, forget_login_failures: None
) -> None:
    actor = make_actor(runtime, "viewer", world.tenant_a.id)
    url = f"{api_url}/api/v1/auth/password"
    headers = {"Authorization": f"Bearer {actor.token}"}
    codes = [
        requests.post(
            url,
            json={"current_password": f"guess number {n}", "new_password": "a new password"},
            headers=headers,
            timeout=30,
        ).status_code
        for n in range(20)
    ]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
    right = requests.post(
        url, json={"current_password": PASSWORD, "new_password": "a new password"}, headers=headers, timeout=30
    )
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    assert requests.get(f"{api_url}/api/v1/auth/me", headers=headers, timeout=30).status_code == 200


def test_sixteen_racing_guesses_hash_at_most_five_times(runtime: Runtime, world: World) -> None:
    verify = CountingVerify()
    service = AuthService(
        runtime.databases,
        dt.timedelta(hours=1),
        clock=Clock(),
        hashing=PasswordHashing(workers=4, waiting=16, verify=verify),
    )
    actor = make_actor(runtime, "viewer", world.tenant_a.id)
    barrier = threading.Barrier(16)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        barrier.wait()
        try:
            service.login(actor.username, f"guess {n}", f"198.18.{n}.1")
        except (Unauthorized, TooManyRequests) as error:
            outcomes.append(type(error).__name__)

    for _ in range(10):  # rounds of 16 at once until the limit is reached: never a 6th hash
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert verify.calls <= 5, verify.calls
        if verify.calls == 5:
            break
    assert verify.calls == 5 and outcomes.count("Unauthorized") == 5
    assert set(outcomes) == {"Unauthorized", "TooManyRequests"}


def _five_failures(service: AuthService, username: str) -> None:
    """Five wrong passwords for `username`, each from a fresh address."""
    for _ in range(5):
        with pytest.raises(Unauthorized):
            service.login(username, "wrong password", f"203.0.{secrets.randbelow(250)}.{secrets.randbelow(250)}")


def test_an_account_over_the_limit_is_slowed_not_shut(runtime: Runtime, world: World) -> None:
    clock = Clock()
    service = AuthService(runtime.databases, dt.timedelta(hours=1), clock=clock)
    actor = make_actor(runtime, "superadmin", None)
    _five_failures(service, actor.username)
    with pytest.raises(TooManyRequests) as caught:
        service.login(actor.username, PASSWORD, "192.0.2.200")
    assert 1 <= caught.value.retry_after <= 60
    clock.now += dt.timedelta(seconds=61)  # one attempt a minute, not 30 minutes shut
    assert service.login(actor.username, PASSWORD, "192.0.2.201").user.id == actor.user_id


def test_an_attacker_keeps_one_guess_a_minute_and_the_superadmin_unlocks(runtime: Runtime) -> None:
    clock = Clock()
    service = AuthService(runtime.databases, dt.timedelta(hours=1), clock=clock)
    actor = make_actor(runtime, "superadmin", None)
    _five_failures(service, actor.username)
    for minute in range(3):
        clock.now += dt.timedelta(seconds=61)
        with pytest.raises(Unauthorized):  # the minute's one guess
            service.login(actor.username, f"guess {minute}", f"198.19.{secrets.randbelow(250)}.{minute}")
        with pytest.raises(TooManyRequests):  # and nothing more that minute
            service.login(actor.username, "another guess", f"198.19.{secrets.randbelow(250)}.9")
    assert runtime.users.unlock(actor.username, actor="tests") >= 5
    # `service` stands for the server's process, `runtime.users` for comandia-admin's: the server
    # repeats the database's last refusal for at most MEMO_SECONDS before asking it again (L3)
    clock.now += dt.timedelta(seconds=MEMO_SECONDS)
    assert service.login(actor.username, PASSWORD, "192.0.2.9").token


def test_a_refused_key_is_refused_again_without_the_database_for_a_few_seconds_only(runtime: Runtime) -> None:
    clock = Clock()
    service = AuthService(runtime.databases, dt.timedelta(hours=1), clock=clock)
    actor = make_actor(runtime, "superadmin", None)
    _five_failures(service, actor.username)
    with pytest.raises(TooManyRequests):  # the database refuses the 6th guess within the minute
        service.login(actor.username, PASSWORD, "192.0.2.10")
    # another process (comandia-admin) unlocks the account: the database forgets its failures
    assert LoginThrottle(runtime.databases).clear(throttle_keys(actor.username, "-")[0]) >= 5
    clock.now += dt.timedelta(seconds=MEMO_SECONDS - 1)
    with pytest.raises(TooManyRequests):  # this process still repeats the refusal it was given
        service.login(actor.username, PASSWORD, "192.0.2.11")
    clock.now += dt.timedelta(seconds=1)
    assert service.login(actor.username, PASSWORD, "192.0.2.12").token  # then asks the database again


def test_a_disabled_account_answers_like_a_wrong_password(runtime: Runtime, world: World) -> None:
    service = AuthService(runtime.databases, dt.timedelta(hours=1), clock=Clock())
    actor = make_actor(runtime, "manager", world.tenant_a.id)
    runtime.users.set_disabled(actor.username, True, actor="tests")
    answers = []
    for password in (PASSWORD, "wrong password"):
        with pytest.raises(Unauthorized) as caught:
            service.login(actor.username, password, f"198.51.100.{secrets.randbelow(200)}")
        answers.append((type(caught.value), caught.value.detail))
    assert answers[0] == answers[1]


def test_the_hashing_pool_is_bounded_and_refuses_at_once_when_full() -> None:
    def slow_verify(stored: str | None, password: str) -> bool:
        time.sleep(0.3)
        return False

    pool = PasswordHashing(workers=1, waiting=1, verify=slow_verify)
    barrier = threading.Barrier(6)
    results: list[tuple[str, float]] = []

    def check() -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            pool.verify(None, "x")
            results.append(("checked", time.perf_counter() - started))
        except TooManyRequests:
            results.append(("busy", time.perf_counter() - started))

    threads = [threading.Thread(target=check) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in results) == ["busy"] * 4 + ["checked"] * 2
    assert all(seconds < 0.1 for kind, seconds in results if kind == "busy")


@pytest.fixture
def ghost() -> Iterator[Callable[[], str]]:
    yield lambda: f"ghost-{secrets.token_hex(4)}"


def test_x_forwarded_for_from_an_untrusted_peer_cannot_escape_the_address_limit(
    api_url: str, ghost: Callable[[], str], forget_login_failures: None
) -> None:
    codes = []
    for n in range(7):
        answer = requests.post(
            f"{api_url}/api/v1/auth/login",
            json={"username": ghost(), "password": "x" * 8},
            headers={"X-Forwarded-For": f"10.{n}.0.1"},
            timeout=30,
        )
        codes.append(answer.status_code)
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429], codes


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("198.51.100.7", "10.0.0.1", "198.51.100.7"),  # not a proxy: the header is a claim
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),  # our proxy names the client
        ("127.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # the client's own prefix is ignored
        ("127.0.0.1", "203.0.113.5, 10.1.0.2", "203.0.113.5"),  # a chain of trusted proxies
        ("127.0.0.1", "not-an-address", "127.0.0.1"),  # malformed: believe nothing
        ("127.0.0.1", None, "127.0.0.1"),
    ],
)
def test_the_client_address_is_taken_from_trusted_proxies_only(peer: str, header: str | None, client: str) -> None:
    assert ClientAddress(("127.0.0.1", "10.1.0.0/16")).resolve(peer, header) == client
