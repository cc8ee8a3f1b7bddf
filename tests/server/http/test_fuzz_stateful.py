"""RELIABILITY S9, stateful: Schemathesis follows the document's links (create -> read/edit/delete).

A manager of tenant A creates categories, products, customers and orders and then acts on what
it created, so the fuzzer reaches real objects instead of 404s. Bounded in steps and examples.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from comandia.server.http.openapi import build_document
from comandia.server.wiring import Runtime
from tests.plugins.api import World, make_actor


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("forget_login_failures")  # fuzzed logins fail from 127.0.0.1
def test_linked_operations_keep_their_contract(api_url: str, runtime: Runtime, world: World) -> None:
    actor = make_actor(runtime, "manager", world.tenant_a.id)
    schema = schemathesis.openapi.from_dict(build_document())
    base = schema.as_state_machine()

    class ManagerWorkflow(base):  # type: ignore[misc, valid-type]
        def before_call(self, case: Any) -> None:
            # the tenant is fixed: links carry it from the create to the item operations
            if case.path_parameters and "tenant_id" in case.path_parameters:
                case.path_parameters["tenant_id"] = world.tenant_a.id
            if case.path_parameters and "user_id" in case.path_parameters:
                case.path_parameters["user_id"] = str(actor.user_id)
            super().before_call(case)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            token = actor.token
            if case.operation.path in ("/api/v1/auth/logout", "/api/v1/auth/password"):
                token = "not-a-token"  # keep the workflow's own session alive
            return {"base_url": api_url, "headers": {"Authorization": f"Bearer {token}"}, "timeout": 30}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            # Business rules (a quantity above stock, an unknown SKU) rightly refuse schema-valid data.
            # Negative cases are judged in test_fuzz.py: here before_call/get_call_kwargs put back a
            # valid tenant and token, which may be exactly the part the fuzzer had made invalid.
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance, negative_data_rejection],
                transport_kwargs=kwargs or None,
            )

    ManagerWorkflow.run(
        settings=settings(
            max_examples=8,
            stateful_step_count=6,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
