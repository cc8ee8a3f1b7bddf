"""Numbers: the service rules, the API resources' permissions, the CLI, and a real "test this number"."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
from typing import Any

import falcon
import falcon.testing
import pytest

from comandia.provisioning.commands import numbers as number_commands
from comandia.provisioning.output import Output
from comandia.server.app import create_app
from comandia.server.http.resources import numbers as resources
from comandia.server.services.messaging.numbers import NewNumber
from comandia.server.wiring import Runtime, build_services
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from tests.plugins.api import World
from tests.plugins.messaging import Messaging

API = "/api/v1/tenants"


@pytest.fixture
def api(runtime: Runtime, messaging: Messaging) -> falcon.testing.TestClient:
    """The real app plus the number routes (as routes.py will register them)."""
    app = create_app(runtime.services)
    scoped = f"{API}/{{tenant_id}}/numbers"
    app.add_route(scoped, resources.NumberCollection(messaging.numbers))
    app.add_route(f"{scoped}/{{number_id}}", resources.NumberItem(messaging.numbers))
    app.add_route(f"{scoped}/{{number_id}}/pause", resources.NumberPause(messaging.numbers))
    app.add_route(f"{scoped}/{{number_id}}/resume", resources.NumberResume(messaging.numbers))
    app.add_route(f"{scoped}/{{number_id}}/test", resources.NumberTest(messaging.numbers))
    app.add_route("/api/v1/admin/unroutable", resources.UnroutableCollection(messaging.numbers))
    return falcon.testing.TestClient(app)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_credentials_are_sealed_and_never_returned(messaging: Messaging) -> None:
    import sqlalchemy as sa

    with messaging.runtime.databases.control_session() as session:
        sealed = session.execute(
            sa.text("SELECT access_token_sealed, app_secret_sealed FROM whatsapp_numbers WHERE id = :i"),
            {"i": messaging.meta_1.id},
        ).one()
    assert "EAAG-test" not in sealed[0] and "fixture-app-secret" not in sealed[1]
    shown = json.dumps(messaging.numbers.get(None, messaging.meta_1.id).to_json())
    assert "EAAG-test" not in shown and "fixture-app-secret" not in shown


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (NewNumber(provider="meta", e164="+15550009999", phone_number_id="1"), "access_token"),
        (NewNumber(provider="twilio", e164="+15550009999", auth_token="x"), "account_sid"),
        (NewNumber(provider="fax", e164="+15550009999"), "provider"),
        (NewNumber(provider="sandbox", e164="12"), "e164"),
    ],
)
def test_add_refuses_missing_credentials_and_bad_input(messaging: Messaging, request_: NewNumber, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        messaging.numbers.add(messaging.tenant.id, request_, actor="tests")
    assert field in caught.value.fields


def test_a_number_or_phone_number_id_can_be_registered_once(messaging: Messaging) -> None:
    with pytest.raises(Conflict):
        messaging.numbers.add(messaging.tenant.id, NewNumber(provider="sandbox", e164="+15550001111"), actor="t")


def test_another_tenants_number_is_not_found(messaging: Messaging, world: World) -> None:
    with pytest.raises(NotFound):
        messaging.numbers.get(world.tenant_b.id, messaging.meta_1.id)


def test_test_this_number_calls_the_provider_for_every_kind(messaging: Messaging) -> None:
    for number in (messaging.meta_1, messaging.dialog, messaging.twilio):
        result = messaging.numbers.test(None, number.id, "es")
        assert result.ok, result


def test_test_this_number_reports_an_unreachable_provider(runtime: Runtime, messaging: Messaging) -> None:
    unreachable = dataclasses.replace(
        runtime.config, whatsapp_meta_base="http://127.0.0.1:9", whatsapp_timeout_seconds=0.5
    )
    result = build_services(unreachable, runtime.databases).numbers.test(None, messaging.meta_1.id, "es")
    assert not result.ok and result.checks[0].detail.startswith("no se pudo contactar al proveedor")


def test_api_permissions(api: falcon.testing.TestClient, messaging: Messaging, world: World) -> None:
    # Give tenant A of the API world a sandbox number to act on.
    number = messaging.numbers.add(world.tenant_a.id, NewNumber(provider="sandbox", e164="+15550005555"), actor="t")
    base = f"{API}/{world.tenant_a.id}/numbers"
    try:
        listed = api.simulate_get(base, headers=_auth(world.viewer_a.token))
        assert listed.status_code == 200 and number.id in [n["id"] for n in listed.json["items"]]
        assert {n["tenant_id"] for n in listed.json["items"]} == {world.tenant_a.id}
        assert api.simulate_get(base, headers=_auth(world.manager_b.token)).status_code == 404
        assert api.simulate_get(f"{base}/{number.id}", headers=_auth(world.manager_b.token)).status_code == 404
        other = f"{API}/{world.tenant_b.id}/numbers/{number.id}"
        assert api.simulate_get(other, headers=_auth(world.manager_b.token)).status_code == 404
        assert api.simulate_post(f"{base}/{number.id}/pause", headers=_auth(world.viewer_a.token)).status_code == 403
        paused = api.simulate_post(f"{base}/{number.id}/pause", headers=_auth(world.manager_a.token))
        assert paused.status_code == 200 and paused.json["state"] == "paused"
        # Why, as a code and as a sentence in the caller's language (Spanish first), like a problem's detail.
        assert (paused.json["pause_code"], paused.json["pause_reason"]) == ("manager", "pausado por un encargado")
        english = api.simulate_get(
            f"{base}/{number.id}", headers={**_auth(world.manager_a.token), "Accept-Language": "en"}
        )
        assert english.json["pause_reason"] == "paused by a manager"
        assert (
            api.simulate_post(f"{base}/{number.id}/resume", headers=_auth(world.manager_a.token)).json["state"]
            == "active"
        )
        tested = api.simulate_post(f"{base}/{number.id}/test", headers=_auth(world.manager_a.token)).json
        assert tested["ok"] and tested["checks"] == [
            {"name": "número de prueba", "ok": True, "detail": "los mensajes se guardan en memoria, no se envían"}
        ]
        tested_en = api.simulate_post(
            f"{base}/{number.id}/test", headers={**_auth(world.manager_a.token), "Accept-Language": "en"}
        ).json
        assert tested_en["checks"][0]["name"] == "test number"
        body = {"provider": "sandbox", "e164": "+15550006666"}
        assert api.simulate_post(base, json=body, headers=_auth(world.manager_a.token)).status_code == 403
        created = api.simulate_post(base, json=body, headers=_auth(world.superadmin.token))
        assert created.status_code == 201 and created.json["webhook_secret"]
        assert (
            api.simulate_get(f"{base}/{created.json['id']}", headers=_auth(world.superadmin.token)).json[
                "webhook_secret"
            ]
            is None
        )
        assert (
            api.simulate_delete(f"{base}/{created.json['id']}", headers=_auth(world.manager_a.token)).status_code == 403
        )
        assert (
            api.simulate_delete(f"{base}/{created.json['id']}", headers=_auth(world.superadmin.token)).status_code
            == 204
        )
        assert api.simulate_get("/api/v1/admin/unroutable", headers=_auth(world.manager_a.token)).status_code == 403
        assert api.simulate_get("/api/v1/admin/unroutable", headers=_auth(world.superadmin.token)).status_code == 200
        assert api.simulate_get(base).status_code == 401
    finally:
        messaging.numbers.remove(None, number.id, actor="t")


def _admin(runtime: Runtime, *argv: str) -> tuple[int, Any, str]:
    # As if COMANDIA_NUMBER_API_KEY were set: the credential comes from the config, never a prompt.
    config = dataclasses.replace(runtime.config, number_secrets={"api_key": "cli-key"})
    runtime = dataclasses.replace(runtime, config=config)
    root = argparse.ArgumentParser(prog="comandia-admin")
    number_commands.register(root.add_subparsers(dest="command", required=True))
    args = root.parse_args(list(argv))
    stdout, stderr = io.StringIO(), io.StringIO()
    code = args.handler(runtime, args, Output(True, stdout, stderr))
    text = stdout.getvalue().strip()
    return code, (json.loads(text) if text else None), stderr.getvalue()


def test_cli_adds_lists_pauses_resumes_and_removes(runtime: Runtime, messaging: Messaging) -> None:
    code, added, _ = _admin(
        runtime, "number", "add", messaging.tenant.id, "--provider", "360dialog", "--number", "+15550007777"
    )
    assert code == 0 and added["provider"] == "360dialog" and added["webhook_secret"]
    ident = str(added["id"])
    assert ident in {str(n["id"]) for n in _admin(runtime, "number", "list", messaging.tenant.id)[1]}
    assert _admin(runtime, "number", "pause", ident)[1]["state"] == "paused"
    assert _admin(runtime, "number", "resume", ident)[1]["state"] == "active"
    code, _, said = _admin(runtime, "number", "remove", ident)
    assert code == 2 and "esto elimina el número" in said and "--yes" in said  # refused, says what it would do
    assert _admin(runtime, "number", "remove", ident, "--yes")[0] == 0
    with pytest.raises(NotFound):
        messaging.numbers.get(None, int(ident))


def test_cli_sets_and_clears_the_status_template(runtime: Runtime, messaging: Messaging) -> None:
    code, added, _ = _admin(
        runtime,
        "number",
        "add",
        messaging.tenant.id,
        "--provider",
        "360dialog",
        "--number",
        "+15550007778",
        "--status-template",
        "order_update",
    )
    assert code == 0 and added["status_template"] == "order_update" and added["template_language"] is None
    ident = str(added["id"])
    code, changed, _ = _admin(
        runtime, "number", "template", ident, "--status-template", "pedido_estado", "--template-language", "es_MX"
    )
    assert code == 0 and (changed["status_template"], changed["template_language"]) == ("pedido_estado", "es_MX")
    assert _admin(runtime, "number", "template", ident)[0] == 2  # neither a template nor --clear
    with pytest.raises(ValidationFailed):  # comandia-admin turns it into exit code 2 with the message
        _admin(runtime, "number", "template", ident, "--status-template", "bad name")
    code, cleared, _ = _admin(runtime, "number", "template", ident, "--clear")
    assert code == 0 and cleared["status_template"] is None
    assert messaging.numbers.get(None, int(ident)).status_template is None
    _admin(runtime, "number", "remove", ident, "--yes")
