"""RELIABILITY S11: an exception forced on every route; no traceback reaches a client, no secret a log.

Every service the app is handed is replaced by one whose every call fails the way a real bug
does: a real statement on the control database that fails (division by zero) with the call's
arguments as its parameters, so the error carries the caller's inputs (a password, a token, an
app secret) as SQLAlchemy errors do. Each route of the isolation matrix is then called as the
superadmin with seeded secrets in its headers and body.

Pass: every route that reaches a service answers a problem+json 500 with no exception text;
the log holds each failure's traceback and none of the seeded secrets.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import falcon.testing
import pytest
import sqlalchemy as sa

from comandia.server.app import create_app
from comandia.server.services.auth.logins import AuthService
from comandia.server.wiring import Runtime
from tests.plugins.api import World
from tests.server.http.test_isolation_matrix import CELLS, _body, _objects

SEED_PASSWORD = "s11-password-Zq8vK2"
SEED_APP_SECRET = "s11-app-secret-Jm4xW9"
SEED_NEW_PASSWORD = "s11-new-password-Hp3tL7"
# routes that call no service: the spec document and probes
NO_SERVICE = {("/api/v1/openapi.json", "get"), ("/healthz", "get")}


class Failing:
    """Stands in for a service: every method runs a failing statement that carries its arguments."""

    def __init__(self, engine: sa.Engine, name: str, real: Any = None, keep: tuple[str, ...] = ()) -> None:
        self._engine, self._name, self._real, self._keep = engine, name, real, keep

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._engine.connect() as connection:
            connection.execute(
                sa.text("SELECT 1 / 0 WHERE CAST(:call AS text) IS NOT NULL"),
                {"call": f"{self._name}{args!r}{kwargs!r}"},
            )
        raise AssertionError("unreachable: the statement fails")

    def __getattr__(self, name: str) -> Any:
        if name in self._keep:
            return getattr(self._real, name)
        return Failing(self._engine, f"{self._name}.{name}")


def _failing_services(runtime: Runtime) -> Any:
    services, engine = runtime.services, runtime.databases.control_engine
    plain = (int, str, tuple, type(None))
    replaced: dict[str, Any] = {}
    for field in dataclasses.fields(services):
        value = getattr(services, field.name)
        if isinstance(value, plain):
            continue
        # the bearer token must still be checked, so the route (not the middleware) fails
        keep = ("authenticate",) if isinstance(value, AuthService) else ()
        replaced[field.name] = Failing(engine, field.name, value, keep)
    return dataclasses.replace(services, **replaced)


def _secret_body(path: str, method: str, body: dict[str, Any] | None) -> dict[str, Any] | None:
    if (path, method) == ("/api/v1/auth/login", "post") or (path, method) == ("/api/v1/users", "post"):
        return {**(body or {}), "password": SEED_PASSWORD}
    if (path, method) == ("/api/v1/auth/password", "post"):
        return {"current_password": SEED_PASSWORD, "new_password": SEED_NEW_PASSWORD}
    if path.endswith("/numbers") and method == "post":
        return {
            "provider": "meta",
            "e164": "+15550009999",
            "phone_number_id": "1065403500009",
            "waba_id": "102290129340398",
            "access_token": SEED_APP_SECRET + "-token",
            "app_secret": SEED_APP_SECRET,
        }
    return body


def test_an_exception_on_every_route_answers_a_bare_500_and_logs_no_secret(
    runtime: Runtime, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    client = falcon.testing.TestClient(create_app(_failing_services(runtime)))
    objects = _objects(runtime, world, need_user=True, need_number=True, need_backup=True, need_conversation=True)
    token = world.superadmin.token
    secrets_seeded = (SEED_PASSWORD, SEED_NEW_PASSWORD, SEED_APP_SECRET, token)
    answers: dict[tuple[str, str], int] = {}
    leaks = []
    caplog.set_level(logging.INFO)
    for path, method in CELLS:
        url = path.format(
            tenant_id=world.tenant_a.id,
            category_id=objects.category_id,
            product_id=objects.product_id,
            customer_id=objects.customer_id,
            order_id=objects.order_id,
            user_id=objects.user_id,
            number_id=objects.number_id,
            backup_id=objects.backup_id,
            conversation=objects.conversation,
            media_id=objects.media_id,
            dataset="orders",
            fmt="csv",
        )
        headers = {"Authorization": f"Bearer {token}", "X-Api-Secret": SEED_APP_SECRET}
        query = {"from": "2026-01-01", "to": "2026-01-31"} if "/kpis" in path or "/exports/" in path else None
        if path.endswith("/catalog/import"):
            result = client.simulate_request(
                method.upper(),
                url,
                headers={**headers, "Content-Type": "text/csv"},
                body=b"sku,name,price\r\nS11,Agua,1.00\r\n",
                params={"dry_run": "true"},
            )
        else:
            body = _secret_body(path, method, _body(path, method, objects, world))
            result = client.simulate_request(
                method.upper(), url, headers=headers, params=query, json=body if body is not None else None
            )
        answers[(path, method)] = result.status_code
        if (path, method) in NO_SERVICE:
            continue
        text = result.text
        if result.status_code == 500:
            problem = json.loads(text)
            assert result.headers["Content-Type"].startswith("application/problem+json")
            assert problem["status"] == 500
        for marker in ("Traceback", "ZeroDivision", "division by zero", "SELECT", *secrets_seeded):
            if marker in text:
                leaks.append(f"{method.upper()} {path} answered {marker!r}")
    not_500 = {cell: status for cell, status in answers.items() if status != 500 and cell not in NO_SERVICE}
    assert not_500 == {}, not_500
    logged = "\n".join(
        record.getMessage() + "\n" + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    assert logged.count("division by zero") >= len(CELLS) - len(NO_SERVICE), "each failure logged with its cause"
    leaks += [f"the log holds {secret[:12]}…" for secret in secrets_seeded if secret in logged]
    print(f"\nS11: {len(answers)} routes, {sum(s == 500 for s in answers.values())} forced 500s; leaks: {leaks}")
    assert leaks == []
