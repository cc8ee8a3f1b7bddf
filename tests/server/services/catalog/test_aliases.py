"""Product aliases: cleaned, bounded, never another product's name or alias, read by the bot."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comandia.server.services.catalog.aliases import MAX_ALIAS_LENGTH, MAX_ALIASES
from comandia.server.services.messaging.conversations import load_catalog
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.schemas.catalog import ProductInput
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def coke(*aliases: str, sku: str = "COCA-600", name: str = "Coca-Cola 600 ml") -> ProductInput:
    return ProductInput(sku=sku, name=name, price=Decimal("25"), aliases=aliases)


def test_aliases_are_cleaned_and_kept_in_order(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    created = catalog.create_product(
        tenant.id, coke("  coca ", "Coke", "COCA", "coca-cola 600 ML", "refresco  de   cola", "Cóca")
    )
    # "COCA" and "Cóca" repeat "coca"; "coca-cola 600 ML" is the product's own name.
    assert created.aliases == ("coca", "Coke", "refresco de cola")
    assert catalog.get_product(tenant.id, created.id).aliases == created.aliases
    updated = catalog.update_product(tenant.id, created.id, coke("cocacola"))
    assert updated.aliases == ("cocacola",)
    assert catalog.update_product(tenant.id, created.id, coke()).aliases == ()


def test_bounds_and_characters_are_checked(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    bad = {
        ("a",) * 0 + tuple(f"alias {i}" for i in range(MAX_ALIASES + 1)): "aliases",
        ("ok", "x" * (MAX_ALIAS_LENGTH + 1)): "aliases[1]",
        ("   ",): "aliases[0]",
        ("coca|coke",): "aliases[0]",
        ("uno", "coca;coke"): "aliases[1]",
        ("¡!",): "aliases[0]",
        ("co\x00ca",): "aliases[0]",
    }
    for aliases, field in bad.items():
        with pytest.raises(ValidationFailed) as caught:
            catalog.create_product(tenant.id, coke(*aliases))
        assert field in caught.value.fields, (aliases, caught.value.fields)
    assert catalog.list_products(tenant.id) == []
    most = catalog.create_product(tenant.id, coke(*(f"alias {i}" for i in range(MAX_ALIASES))))
    assert len(most.aliases) == MAX_ALIASES


def test_an_alias_of_another_product_is_refused_naming_it(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    catalog.create_product(tenant.id, coke("coca", "coke"))
    light = ProductInput(sku="COCA-L", name="Coca-Cola Light", price=Decimal("25"), aliases=("light", "COKE"))
    with pytest.raises(ValidationFailed) as caught:
        catalog.create_product(tenant.id, light)
    assert caught.value.fields == {
        "aliases[1]": "«COKE» is already a name or alias of product «Coca-Cola 600 ml» (COCA-600)"
    }
    # Another product's name, ignoring case, accents and punctuation, is refused too...
    with pytest.raises(ValidationFailed) as caught:
        catalog.create_product(
            tenant.id, ProductInput(sku="X", name="X", price=Decimal(1), aliases=("COCA COLA, 600 ML!",))
        )
    assert "aliases[0]" in caught.value.fields
    # ...and so is a product named like another product's alias.
    with pytest.raises(ValidationFailed) as caught:
        catalog.create_product(tenant.id, ProductInput(sku="C", name="Coca", price=Decimal(1)))
    assert caught.value.fields == {"name": "«Coca» is an alias of product «Coca-Cola 600 ml» (COCA-600)"}
    assert [p.sku for p in catalog.list_products(tenant.id)] == ["COCA-600"]
    # Two products may still share a name (nothing changes for catalogs without aliases).
    catalog.create_product(tenant.id, ProductInput(sku="T1", name="Taco", price=Decimal(1)))
    catalog.create_product(tenant.id, ProductInput(sku="T2", name="Taco", price=Decimal(1)))


def test_a_product_may_keep_and_move_its_own_aliases(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    first = catalog.create_product(tenant.id, coke("coca"))
    # Saving a product unchanged (same aliases) is not a clash with itself, even under a new SKU.
    assert catalog.update_product(tenant.id, first.id, coke("coca", sku="COCA-NEW")).aliases == ("coca",)
    catalog.update_product(tenant.id, first.id, coke(sku="COCA-NEW"))
    other = catalog.create_product(tenant.id, coke("coca", sku="COCA-2", name="Coca-Cola 2 l"))
    assert other.aliases == ("coca",)


def test_the_bot_reads_the_aliases(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    runtime.services.catalog.create_product(tenant.id, coke("coca", "coke"))
    with runtime.databases.tenant_session(tenant.id) as session:
        catalog = load_catalog(session, tenant.currency)
    product = catalog.product("COCA-600")
    # The tenant's aliases first, then the built-in synonyms that apply (chat/synonyms.toml).
    assert product is not None and product.aliases[:2] == ("coca", "coke") and "coquita" in product.aliases


def test_a_product_at_zero_stock_is_unavailable_to_the_bot_and_the_list(
    runtime: Runtime, make_tenant: MakeTenant
) -> None:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    catalog.create_product(tenant.id, ProductInput(sku="FLAN", name="Flan", price=Decimal("30"), stock=0))
    catalog.create_product(tenant.id, ProductInput(sku="PAY", name="Pay de queso", price=Decimal("35"), stock=2))
    catalog.create_product(tenant.id, ProductInput(sku="CAFE", name="Café", price=Decimal("20")))
    with runtime.databases.tenant_session(tenant.id) as session:
        menu = load_catalog(session, tenant.currency)
    assert [p.sku for p in menu.available()] == ["CAFE", "PAY"]
    assert [p.sku for p in catalog.list_products(tenant.id, available_only=True)] == ["CAFE", "PAY"]
    assert catalog.get_product_by_sku(tenant.id, "FLAN").available  # the manager's switch is untouched
