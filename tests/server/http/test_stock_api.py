"""PATCH /products/{id}: sold out and back in one click, stock counts; the bot says "se nos acabó"
and offers what else the category has; a counted product at 0 cannot be ordered."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal

import pytest
import requests

from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import CategoryInput, ProductInput, ProductStockChange
from comandia.shared.schemas.sandbox import SandboxMessage
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.api import World


def test_sold_out_in_one_click_and_the_bot_offers_the_category(superadmin_client: ApiClient,
                                                               make_tenant: Callable[..., TenantInfo]) -> None:
    shop = make_tenant()
    drinks = superadmin_client.catalog.create_category(shop.id, CategoryInput(name="Bebidas"))
    coke = superadmin_client.catalog.create_product(
        shop.id, ProductInput("COCA", "Coca-Cola", Decimal("25"), category_id=drinks.id))
    superadmin_client.catalog.create_product(
        shop.id, ProductInput("AGUA", "Agua de jamaica", Decimal("20"), category_id=drinks.id, stock=5))
    shown = superadmin_client.catalog.change_stock(shop.id, coke.id, ProductStockChange(available=False))
    assert shown.available is False and shown.price == Decimal("25.00")
    phone = f"+52155{secrets.randbelow(10**8):08d}"
    said = superadmin_client.sandbox.send(shop.id, SandboxMessage(phone, text="2 cocas porfa"))
    body = " ".join(r.body for r in said.replies)
    assert "se nos acabó Coca-Cola" in body and "De Bebidas te puedo ofrecer: Agua de jamaica" in body
    assert superadmin_client.catalog.change_stock(shop.id, coke.id, ProductStockChange(available=True)).available


def test_a_counted_product_at_zero_is_sold_out(superadmin_client: ApiClient,
                                               make_tenant: Callable[..., TenantInfo]) -> None:
    shop = make_tenant()
    water = superadmin_client.catalog.create_product(shop.id, ProductInput("AGUA", "Agua natural", Decimal("15")))
    assert superadmin_client.catalog.change_stock(shop.id, water.id, ProductStockChange(stock=0)).stock == 0
    phone = f"+52155{secrets.randbelow(10**8):08d}"
    body = " ".join(r.body for r in superadmin_client.sandbox.send(
        shop.id, SandboxMessage(phone, text="una agua natural")).replies)
    assert "se nos acabó Agua natural" in body
    assert superadmin_client.catalog.change_stock(shop.id, water.id, ProductStockChange(stock=None)).stock is None


@pytest.mark.parametrize(("body", "field"), [
    ({"stock": -1}, "stock"), ({"stock": "5"}, "stock"), ({"available": "no"}, "available"), ({"price": 1}, "price"),
])
def test_bad_stock_changes_are_refused(api_url: str, world: World, superadmin_client: ApiClient,
                                       body: dict[str, object], field: str) -> None:
    product = superadmin_client.catalog.create_product(
        world.tenant_a.id, ProductInput(f"S{secrets.token_hex(3)}", "Stock", Decimal("1")))
    response = requests.patch(f"{api_url}/api/v1/tenants/{world.tenant_a.id}/products/{product.id}", json=body,
                              headers={"Authorization": f"Bearer {world.manager_a.token}"}, timeout=10)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
