"""Sold out (PUT /products/{id}/availability) or counted down to 0: the bot says "se nos acabó" and
offers what else the category has."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal

from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import CategoryInput, ProductInput
from comandia.shared.schemas.sandbox import SandboxMessage
from comandia.shared.schemas.tenants import TenantInfo


def test_sold_out_in_one_click_and_the_bot_offers_the_category(
    superadmin_client: ApiClient, make_tenant: Callable[..., TenantInfo]
) -> None:
    shop = make_tenant()
    drinks = superadmin_client.catalog.create_category(shop.id, CategoryInput(name="Bebidas"))
    coke = superadmin_client.catalog.create_product(
        shop.id, ProductInput("COCA", "Coca-Cola", Decimal("25"), category_id=drinks.id)
    )
    superadmin_client.catalog.create_product(
        shop.id, ProductInput("AGUA", "Agua de jamaica", Decimal("20"), category_id=drinks.id, stock=5)
    )
    assert superadmin_client.catalog.set_available(shop.id, coke.id, False).available is False
    phone = f"+52155{secrets.randbelow(10**8):08d}"
    said = superadmin_client.sandbox.send(shop.id, SandboxMessage(phone, text="2 cocas porfa"))
    body = " ".join(r.body for r in said.replies)
    assert "se nos acabó Coca-Cola" in body and "De Bebidas te puedo ofrecer: Agua de jamaica" in body


def test_a_counted_product_at_zero_is_sold_out(
    superadmin_client: ApiClient, make_tenant: Callable[..., TenantInfo]
) -> None:
    shop = make_tenant()
    superadmin_client.catalog.create_product(shop.id, ProductInput("AGUA", "Agua natural", Decimal("15"), stock=0))
    phone = f"+52155{secrets.randbelow(10**8):08d}"
    body = " ".join(
        r.body for r in superadmin_client.sandbox.send(shop.id, SandboxMessage(phone, text="una agua natural")).replies
    )
    assert "se nos acabó Agua natural" in body
