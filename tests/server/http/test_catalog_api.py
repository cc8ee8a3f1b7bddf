"""Products over HTTP: aliases go in and out through the one schema, a clash is a 422 naming it."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
import requests

from comandia.server.services.messaging.conversations import load_catalog
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient, ForbiddenError, ValidationError
from comandia.shared.schemas.catalog import ProductInput
from tests.plugins.api import World


def test_aliases_round_trip_and_a_clash_names_the_other_product(
    api_url: str, world: World, manager_a_client: ApiClient
) -> None:
    tag = secrets.token_hex(3).upper()
    tenant_id = world.tenant_a.id
    created = manager_a_client.catalog.create_product(
        tenant_id,
        ProductInput(f"COCA-{tag}", f"Coca-Cola {tag}", Decimal("25"), aliases=(f"coca {tag}", f"Coke {tag}")),
    )
    assert created.aliases == (f"coca {tag}", f"Coke {tag}")
    assert manager_a_client.catalog.get_product(tenant_id, created.id).aliases == created.aliases
    with pytest.raises(ValidationError) as caught:
        manager_a_client.catalog.create_product(
            tenant_id, ProductInput(f"PEPSI-{tag}", "Pepsi", Decimal("25"), aliases=(f"COKE {tag}",))
        )
    assert caught.value.fields == {  # Spanish first: the client sends no Accept-Language
        "aliases[0]": f"«COKE {tag}» ya es un nombre u otro nombre del producto «Coca-Cola {tag}» (COCA-{tag})"
    }
    headers = {"Authorization": f"Bearer {world.manager_a.token}"}
    base = f"{api_url}/api/v1/tenants/{tenant_id}/products"
    english = requests.post(base, json={"sku": f"P2-{tag}", "name": "Pepsi", "price": "25.00", "aliases": [
        f"coca {tag}"]}, headers=headers | {"Accept-Language": "en"}, timeout=10)  # fmt: skip
    assert english.status_code == 422 and english.json()["errors"] == [{
        "field": "aliases[0]",
        "problem": f"«coca {tag}» is already a name or alias of product «Coca-Cola {tag}» (COCA-{tag})",
    }]  # fmt: skip
    hostile = [
        {"aliases": ["x"] * 21},
        {"aliases": ["y" * 61]},
        {"aliases": "coca"},
        {"aliases": [{"deep": ["nested"]}]},
        {"aliases": ["a|b"]},
    ]
    for extra in hostile:
        body = {"sku": f"BAD-{tag}", "name": "Bad", "price": "1.00"} | extra
        response = requests.post(base, json=body, headers=headers, timeout=10)
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["errors"][0]["field"].startswith("aliases"), response.text
    response = requests.put(f"{base}/{created.id}", json={"sku": f"COCA-{tag}", "name": f"Coca-Cola {tag}",
                            "price": "25.00"}, headers=headers, timeout=10)  # fmt: skip
    assert response.status_code == 200 and response.json()["aliases"] == []


def test_sold_out_in_one_call_changes_nothing_else_and_the_bot_sees_it(
    api_url: str, world: World, manager_a_client: ApiClient, viewer_a_client: ApiClient, runtime: Runtime
) -> None:
    tag = secrets.token_hex(3).upper()
    tenant_id = world.tenant_a.id
    product = manager_a_client.catalog.create_product(
        tenant_id, ProductInput(f"FLAN-{tag}", f"Flan {tag}", Decimal("30"), stock=7, aliases=(f"flancito {tag}",))
    )
    sold_out = manager_a_client.catalog.set_available(tenant_id, product.id, False)
    assert not sold_out.available
    assert (sold_out.name, sold_out.price, sold_out.stock, sold_out.aliases) == (
        product.name, product.price, product.stock, product.aliases,
    )  # fmt: skip
    with runtime.databases.tenant_session(tenant_id) as session:
        menu = load_catalog(session, world.tenant_a.currency)
    seen = menu.product(product.sku)
    assert seen is not None and not seen.available and seen not in menu.available()
    assert manager_a_client.catalog.set_available(tenant_id, product.id, True).available
    with pytest.raises(ForbiddenError):
        viewer_a_client.catalog.set_available(tenant_id, product.id, False)
    headers = {"Authorization": f"Bearer {world.manager_a.token}"}
    url = f"{api_url}/api/v1/tenants/{tenant_id}/products/{product.id}/availability"
    for body in ({}, {"available": "no"}, {"available": False, "stock": 0}):
        response = requests.put(url, json=body, headers=headers, timeout=10)
        assert response.status_code == 422, (body, response.text)
    missing = requests.put(url.replace(f"/{product.id}/", "/999999999/"), json={"available": False},
                           headers=headers, timeout=10)  # fmt: skip
    assert missing.status_code == 404
