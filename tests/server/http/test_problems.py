"""Every error is application/problem+json: bad JSON, big bodies, unknown routes and fields (S10, S11)."""

from __future__ import annotations

import time

import requests

from tests.plugins.api import World


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.manager_a.token}"}


def test_malformed_json_is_400_problem(api_url: str, world: World) -> None:
    response = requests.post(
        f"{api_url}/api/v1/tenants/{world.tenant_a.id}/categories",
        data=b"{not json",
        headers=_auth(world) | {"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert "Traceback" not in response.text


def test_a_body_over_the_limit_is_refused_with_413_quickly(api_url: str, world: World) -> None:
    started = time.perf_counter()
    response = requests.post(
        f"{api_url}/api/v1/tenants/{world.tenant_a.id}/categories",
        data=b"x" * (2 * 1024 * 1024),
        headers=_auth(world) | {"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413
    assert time.perf_counter() - started < 1.0


def test_unknown_fields_and_query_parameters_are_named_in_a_422(api_url: str, world: World) -> None:
    base = f"{api_url}/api/v1/tenants/{world.tenant_a.id}"
    body = requests.post(
        f"{base}/categories", json={"name": "Bebidas", "colour": "red"}, headers=_auth(world), timeout=10
    )
    assert body.status_code == 422
    assert body.json()["errors"] == [{"field": "colour", "problem": "campo desconocido"}]  # Spanish by default
    query = requests.get(f"{base}/orders", params={"stauts": "new"}, headers=_auth(world), timeout=10)
    assert query.status_code == 422 and query.json()["errors"][0]["field"] == "stauts"


def test_text_postgres_cannot_store_is_422_not_500(api_url: str, world: World) -> None:
    response = requests.post(
        f"{api_url}/api/v1/tenants/{world.tenant_a.id}/categories",
        json={"name": "a\u0000b"},
        headers=_auth(world),
        timeout=10,
    )
    assert response.status_code == 422


def test_unknown_route_is_404_problem(api_url: str) -> None:
    response = requests.get(f"{api_url}/api/v1/nothing-here", timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_openapi_document_is_public_and_lists_every_operation(api_url: str) -> None:
    document = requests.get(f"{api_url}/api/v1/openapi.json", timeout=10).json()
    assert document["openapi"] == "3.1.0"
    assert "/api/v1/tenants/{tenant_id}/orders/{order_id}/status" in document["paths"]


def test_an_empty_typed_query_parameter_is_refused_but_empty_free_text_is_absent(api_url: str, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.manager_a.token}"}
    scoped = f"{api_url}/api/v1/tenants/{world.tenant_a.id}"
    for path in ("/catalog/import/template?format=", "/orders?limit=", "/orders?from=", "/products?available="):
        response = requests.get(scoped + path, headers=headers, timeout=10)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["errors"][0]["problem"] == "no debe estar vacío"  # Spanish by default
    assert requests.get(f"{scoped}/orders?q=", headers=headers, timeout=10).status_code == 200


def test_problems_are_in_the_language_the_caller_accepts(api_url: str, world: World) -> None:
    """Spanish by default and for Spanish or unknown languages, English when the caller prefers it."""
    url = f"{api_url}/api/v1/tenants/{world.tenant_a.id}/categories"
    answers = {}
    for header in (None, "es-MX", "en-US,en;q=0.9", "fr, en;q=0.5", "de"):
        headers = _auth(world) | ({"Accept-Language": header} if header else {})
        response = requests.post(url, json={"name": "x" * 500}, headers=headers, timeout=10)
        assert response.status_code == 422 and "Accept-Language" in response.headers["Vary"]
        answers[header] = response.json()
    for header in (None, "es-MX", "de"):
        assert answers[header]["title"] == "Datos no válidos"
        assert answers[header]["detail"] == "name no válido: debe tener como máximo 120 caracteres"
        assert answers[header]["errors"] == [{"field": "name", "problem": "debe tener como máximo 120 caracteres"}]
    for header in ("en-US,en;q=0.9", "fr, en;q=0.5"):
        assert answers[header]["title"] == "Invalid input"
        assert answers[header]["detail"] == "invalid name: must be at most 120 characters"
    missing = requests.get(f"{api_url}/api/v1/tenants/t000000000000/orders", headers=_auth(world), timeout=10)
    assert missing.json()["title"] == "No encontrado"
    assert missing.json()["detail"] == "el negocio t000000000000 no existe"


def test_the_edges_own_refusals_read_in_the_callers_language(api_url: str, world: World) -> None:
    """Falcon's own errors (no such route, a method the route does not take, a wrong media type)
    and the body cap speak the caller's language like every domain error."""
    base = f"{api_url}/api/v1/tenants/{world.tenant_a.id}"
    calls = {
        "route": lambda headers: requests.get(f"{api_url}/api/v1/nothing-here", headers=headers, timeout=10),
        "method": lambda headers: requests.put(f"{base}/orders", headers=headers, timeout=10),
        "media": lambda headers: requests.post(
            f"{base}/catalog/import", data=b"sku", timeout=10, headers=headers | {"Content-Type": "text/plain"}
        ),
        "size": lambda headers: requests.post(
            f"{base}/categories",
            data=b"x" * (2 * 1024 * 1024),
            timeout=10,
            headers=headers | {"Content-Type": "application/json"},
        ),
        "json": lambda headers: requests.post(
            f"{base}/categories", data=b"{not json", timeout=10, headers=headers | {"Content-Type": "application/json"}
        ),
    }
    spanish = {name: call(_auth(world)).json() for name, call in calls.items()}
    english = {name: call(_auth(world) | {"Accept-Language": "en"}).json() for name, call in calls.items()}
    assert {name: problem["title"] for name, problem in spanish.items()} == {
        "route": "No encontrado",
        "method": "Método no permitido",
        "media": "Tipo de contenido no admitido",
        "size": "Cuerpo de la petición demasiado grande",
        "json": "JSON no válido",
    }
    assert {name: problem["title"] for name, problem in english.items()} == {
        "route": "Not found",
        "method": "Method not allowed",
        "media": "Unsupported media type",
        "size": "Request body too large",
        "json": "Invalid JSON",
    }
    assert spanish["media"]["detail"].startswith("envíe el archivo como text/csv o como XLSX")
    assert spanish["size"]["detail"].startswith("el límite es ") and english["size"]["detail"].startswith("the limit")
    assert spanish["json"]["detail"].startswith("el cuerpo no es JSON válido (Expecting property name")
