"""RELIABILITY S3: a unique canary in every text field of tenant A; every GET route, as every
principal of tenant B, on B's own objects and on A's: 0 occurrences of A's canary or A's id."""

from __future__ import annotations

import re
import secrets
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from comandia.server.wiring import Runtime
from comandia.shared.schemas.catalog import CategoryInput, ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from comandia.shared.schemas.tenants import TenantSettingsChange
from tests.plugins.api import World, make_actor

MATRIX = tomllib.loads((Path(__file__).parents[1] / "server" / "http" / "isolation_matrix.toml").read_text())["routes"]
GET_ROUTES = sorted(path for path, methods in MATRIX.items() if "get" in methods)


@pytest.fixture(scope="module")
def canary(runtime: Runtime, world: World) -> tuple[str, dict[str, str]]:
    """Tenant A's objects, every text field holding the canary; returns it and A's object ids."""
    mark = f"CANARIO{secrets.token_hex(6)}"
    s, tenant = runtime.services, world.tenant_a.id
    category = s.catalog.create_category(tenant, CategoryInput(name=f"{mark} cat"))
    sku = f"{mark}-SKU"
    product = s.catalog.create_product(
        tenant,
        ProductInput(
            sku=sku,
            name=f"{mark} producto",
            description=f"{mark} descripción",
            price=Decimal("10.00"),
            category_id=category.id,
            extra={"nota": mark},
        ),
    )
    customer = s.customers.create(
        tenant,
        CustomerInput(
            phone=f"+52155{secrets.randbelow(10**8):08d}",
            name=f"{mark} Ana",
            city=f"{mark} ciudad",
            region=f"{mark} región",
            default_address=f"{mark} calle",
            notes=f"{mark} notas",
            extra={"k": mark},
        ),
    )
    order = s.orders.create(
        tenant,
        OrderInput(
            customer_id=customer.id,
            items=(OrderLineInput(quantity=1, sku=sku),),
            notes=f"{mark} sin cebolla",
            delivery_address=f"{mark} dirección",
            delivery_city=f"{mark} ciudad",
            extra={"k": mark},
        ),
        actor="tests",
    )
    s.tenant_settings.update(tenant, "tests", TenantSettingsChange(texts={"expired": f"{mark} adiós"}))
    ids = {
        "tenant_id": tenant,
        "category_id": str(category.id),
        "product_id": str(product.id),
        "customer_id": str(customer.id),
        "order_id": str(order.id),
        "dataset": "orders",
        "fmt": "csv",
        "user_id": "1",
        "number_id": "1",
        "backup_id": "1",
        "conversation": "x",
    }
    return mark, ids


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "1"), path)


@pytest.mark.parametrize("principal", ["manager_b", "viewer_b"])
def test_no_route_shows_tenant_b_anything_of_tenant_a(
    api_url: str, runtime: Runtime, world: World, canary: tuple[str, dict[str, str]], principal: str
) -> None:
    mark, ids_a = canary
    token = (
        world.manager_b.token if principal == "manager_b" else make_actor(runtime, "viewer", world.tenant_b.id).token
    )
    leaks, crawled = [], 0
    for path in GET_ROUTES:
        for tenant in (world.tenant_b.id, world.tenant_a.id):
            if path.endswith("/changes") and tenant == world.tenant_b.id:
                continue  # a long poll on B's own changes: nothing of A can be in it, and it waits
            url = api_url + _fill(path, {**ids_a, "tenant_id": tenant})
            params = {"from": "2026-01-01", "to": "2026-12-31"} if "/exports/" in path or path.endswith("/kpis") else {}
            try:
                answer = requests.get(url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=15)
            except requests.ReadTimeout:
                continue
            crawled += 1
            body = answer.content.decode("utf-8", "replace")
            # A 404 may repeat the id the caller typed in the URL ("tenant … does not exist"): that
            # tells B nothing it did not send. Anything else naming A, or A's canary anywhere, is a leak.
            if mark in body or (world.tenant_a.id in body and answer.status_code != 404):
                leaks.append(f"GET {url} -> {answer.status_code}")
    assert crawled >= len(GET_ROUTES)
    assert leaks == [], leaks
    # the canary is there to be found: A's own manager sees it on the same routes
    own = {"Authorization": f"Bearer {world.manager_a.token}"}
    for path in ("customers", "products", "orders", "settings"):
        answer = requests.get(f"{api_url}/api/v1/tenants/{world.tenant_a.id}/{path}", headers=own, timeout=15)
        assert mark in answer.text, path
