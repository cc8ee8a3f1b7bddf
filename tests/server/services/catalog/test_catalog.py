"""The catalog: categories and products, SKUs unique per tenant, prices in Decimal."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest

from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from comandia.shared.schemas.catalog import CategoryInput, ProductInfo, ProductInput
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def test_product_round_trip_keeps_the_exact_price(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant(currency="PEN")
    catalog = runtime.services.catalog
    tacos = catalog.create_category(tenant.id, CategoryInput(name="  Tacos  "))
    created = catalog.create_product(
        tenant.id,
        ProductInput(
            sku=" TACO-01 ", name="Taco  al pastor", price=Decimal("0.10"), category_id=tacos.id, stock=3,
            image_url="https://example.com/t.jpg", extra={"spicy": True},
        ),
    )  # fmt: skip
    assert (created.sku, created.name, created.price, created.currency) == (
        "TACO-01",
        "Taco al pastor",
        Decimal("0.10"),
        "PEN",
    )
    assert (created.category, created.stock, created.extra) == ("Tacos", 3, {"spicy": True})
    assert catalog.get_product(tenant.id, created.id) == created
    assert catalog.get_product_by_sku(tenant.id, "TACO-01") == created
    wire = created.to_json()
    assert wire["price"] == "0.10"
    assert dt.datetime.fromisoformat(wire["created_at"]).utcoffset() is not None
    assert ProductInfo.from_json(wire) == created


def test_bad_product_reports_every_field(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant(currency="CLP")
    catalog = runtime.services.catalog
    with pytest.raises(ValidationFailed) as caught:
        catalog.create_product(
            tenant.id,
            ProductInput(
                sku="con espacio",
                name=" ",
                price=Decimal("-1"),
                stock=-2,
                image_url="ftp://x",
                currency="XXX",
            ),
        )
    assert set(caught.value.fields) == {"sku", "name", "price", "stock", "image_url", "currency"}
    with pytest.raises(ValidationFailed) as caught:
        catalog.create_product(tenant.id, ProductInput(sku="EMP", name="Empanada", price=Decimal("1500.50")))
    assert caught.value.fields == {"price": "has more decimals than CLP allows"}
    with pytest.raises(ValidationFailed) as caught:
        catalog.create_product(tenant.id, ProductInput(sku="EMP", name="Empanada", price=Decimal(1), category_id=99))
    assert "category_id" in caught.value.fields
    assert catalog.list_products(tenant.id) == []


def test_sku_is_unique_per_tenant_only(runtime: Runtime, make_tenant: MakeTenant) -> None:
    first, second = make_tenant(), make_tenant()
    catalog = runtime.services.catalog
    product = ProductInput(sku="REF", name="Refresco", price=Decimal("22.50"))
    created = catalog.create_product(first.id, product)
    catalog.create_product(second.id, product)
    with pytest.raises(Conflict):
        catalog.create_product(first.id, product)
    other = catalog.create_product(first.id, ProductInput(sku="AGUA", name="Agua", price=Decimal(15)))
    with pytest.raises(Conflict):
        catalog.update_product(first.id, other.id, product)
    with pytest.raises(NotFound):
        catalog.get_product(second.id, 424242)
    assert catalog.get_product(first.id, created.id).sku == "REF"


def test_racing_creates_of_one_sku_give_one_product_and_a_conflict(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    barrier, outcomes = threading.Barrier(4), []

    def create() -> None:
        barrier.wait()
        try:
            outcomes.append(catalog.create_product(tenant.id, ProductInput(sku="X", name="X", price=Decimal(1))))
        except DomainError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(isinstance(o, ProductInfo) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 3


def test_update_and_availability(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    product = catalog.create_product(tenant.id, ProductInput(sku="P1", name="Pan", price=Decimal("8")))
    unchanged = catalog.update_product(tenant.id, product.id, ProductInput(sku="P1", name="Pan", price=Decimal("8.00")))
    assert unchanged.updated_at == product.updated_at
    changed = catalog.update_product(tenant.id, product.id, ProductInput(sku="P1", name="Pan dulce", price=Decimal(9)))
    assert (changed.name, changed.price, changed.currency) == ("Pan dulce", Decimal("9"), "MXN")
    hidden = catalog.set_available(tenant.id, product.id, False)
    assert not hidden.available
    assert catalog.list_products(tenant.id, available_only=True) == []
    assert [p.id for p in catalog.list_products(tenant.id, text="dul")] == [product.id]
    assert catalog.list_products(tenant.id, text="%") == []
    catalog.delete_product(tenant.id, product.id)
    with pytest.raises(NotFound):
        catalog.get_product(tenant.id, product.id)


def test_categories(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    drinks = catalog.create_category(tenant.id, CategoryInput(name="Bebidas", sort_order=2))
    food = catalog.create_category(tenant.id, CategoryInput(name="Comida", sort_order=1))
    with pytest.raises(Conflict):
        catalog.create_category(tenant.id, CategoryInput(name="BEBIDAS"))
    with pytest.raises(Conflict):
        catalog.update_category(tenant.id, food.id, CategoryInput(name="bebidas"))
    assert [c.name for c in catalog.list_categories(tenant.id)] == ["Comida", "Bebidas"]
    product = catalog.create_product(
        tenant.id, ProductInput(sku="AGUA", name="Agua", price=Decimal(15), category_id=drinks.id)
    )
    assert [p.id for p in catalog.list_products(tenant.id, category_id=drinks.id)] == [product.id]
    renamed = catalog.update_category(tenant.id, drinks.id, CategoryInput(name="Bebidas frías", sort_order=0))
    assert catalog.get_product(tenant.id, product.id).category == renamed.name
    catalog.delete_category(tenant.id, drinks.id)
    assert catalog.get_product(tenant.id, product.id).category_id is None
    with pytest.raises(NotFound):
        catalog.delete_category(tenant.id, drinks.id)


def test_product_input_from_json_refuses_floats_and_names_the_field() -> None:
    parsed = ProductInput.from_json({"sku": "A", "name": "B", "price": "12.50", "stock": 3})
    assert parsed.price == Decimal("12.50") and parsed.stock == 3 and parsed.available
    assert ProductInput.from_json(parsed.to_json()) == parsed
    with pytest.raises(ValidationFailed) as caught:
        ProductInput.from_json({"sku": "A", "name": "B", "price": 12.5})
    assert "price" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        ProductInput.from_json({"sku": "A", "price": "1"})
    assert caught.value.fields == {"name": "is required"}
    with pytest.raises(ValidationFailed):
        ProductInput.from_json(["not", "an", "object"])
