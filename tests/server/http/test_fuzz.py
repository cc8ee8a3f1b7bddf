"""RELIABILITY S9: Schemathesis over the OpenAPI document, against the live loopback server.

Every operation is fuzzed with schema-valid and schema-invalid requests, for a superadmin, a
manager and a viewer, a few examples each and no shrinking, so the run stays bounded. A 5xx, a
response that breaks the document, or a schema-invalid request the server accepts fails the
test. Operations that would end the fuzzing principal's session or disturb other tests' fixtures
act on sacrificial objects instead.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from comandia.server.http.openapi import build_document
from comandia.server.http.openapi_schemas import TENANT_ID_PATTERN
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime
from tests.plugins.api import PASSWORD, Actor, World, make_actor

FUZZ = settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture(scope="session")
def sacrificial(runtime: Runtime, world: World) -> dict[str, Any]:
    """A tenant the fuzzer may deactivate and a user it may disable."""
    tenant = runtime.tenants.create(NewTenant(name=f"Fuzz {secrets.token_hex(3)}"), actor="tests")
    user = make_actor(runtime, "viewer", world.tenant_a.id)
    return {"tenant_id": tenant.id, "user_id": user.user_id}


# Schema-valid requests for every role; schema-invalid ones for one role, as rejecting them
# happens before the role matters. This keeps the whole run near a minute.
RUNS = [
    ("superadmin", GenerationMode.POSITIVE),
    ("manager", GenerationMode.POSITIVE),
    ("viewer", GenerationMode.POSITIVE),
    ("manager", GenerationMode.NEGATIVE),
]


@pytest.mark.parametrize(("role", "mode"), RUNS, ids=[f"{r}-{m.value}" for r, m in RUNS])
@pytest.mark.timeout(240)
@pytest.mark.usefixtures("forget_login_failures")  # fuzzed logins fail from 127.0.0.1
def test_api_answers_every_fuzzed_request_within_its_contract(
    role: str, mode: GenerationMode, api_url: str, runtime: Runtime, world: World, sacrificial: dict[str, Any]
) -> None:
    actor = make_actor(runtime, role, None if role == "superadmin" else world.tenant_a.id)
    schema = schemathesis.openapi.from_dict(build_document())
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        run = _fuzzer(operation, mode, api_url, runtime, actor, _overrides(operation.path, world, sacrificial))
        try:
            run()
        except Unsatisfiable:
            continue  # nothing in this operation can be made schema-invalid
        except Exception as error:  # collect every operation's failure, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:1500]}")
    assert failures == [], "\n\n".join(failures)


def _fuzzer(
    operation: Any,
    mode: GenerationMode,
    api_url: str,
    runtime: Runtime,
    actor: Actor,
    overrides: dict[str, str],
) -> Callable[[], None]:
    """A Hypothesis test of one operation; raises on the first failing example."""
    auth = {"Authorization": f"Bearer {actor.token}"}

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode, headers=auth))
    def run(case: Any) -> None:
        for name, value in (case.path_parameters or {}).items():
            # only a value that is already valid is replaced, so invalid ones stay under test
            if name in overrides and _is_valid(name, value):
                case.path_parameters[name] = overrides[name]
        headers = None
        if operation.path == "/api/v1/auth/logout":  # a fresh token, so the fuzzing token survives
            fresh = runtime.services.auth.login(actor.username, PASSWORD, address="fuzz").token
            headers = {"Authorization": f"Bearer {fresh}"}
        case.call_and_validate(
            base_url=api_url, headers=headers, excluded_checks=[positive_data_acceptance], timeout=30
        )

    return run  # type: ignore[no-any-return]


def _is_valid(name: str, value: Any) -> bool:
    if name == "tenant_id":
        return isinstance(value, str) and re.fullmatch(TENANT_ID_PATTERN, value) is not None
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _overrides(path: str, world: World, sacrificial: dict[str, Any]) -> dict[str, str]:
    """Real objects for path parameters, so the fuzzer reaches the code behind the 404s."""
    overrides = {"tenant_id": world.tenant_a.id, "user_id": str(sacrificial["user_id"])}
    if path.endswith(("/deactivate", "/reactivate")):
        overrides["tenant_id"] = sacrificial["tenant_id"]
    return overrides
