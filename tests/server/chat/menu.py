"""A small menu and tenants for the pure chat tests."""

from __future__ import annotations

from decimal import Decimal

from comandia.server.chat.model import CatalogView, CategoryView, CustomerRef, ProductView, TenantContext

MENU = CatalogView(
    categories=(CategoryView(1, "Pizzas"), CategoryView(2, "Bebidas")),
    products=(
        ProductView("PZ-MAR", "Pizza margarita", Decimal("120"), 1, "Tomate, mozzarella y albahaca"),
        ProductView("PZ-PEP", "Pizza pepperoni", Decimal("140"), 1),
        ProductView("PZ-HAW", "Pizza hawaiana", Decimal("135"), 1),
        ProductView("COCA", "Coca-Cola 600 ml", Decimal("25"), 2, stock=4),
        ProductView("AGUA", "Agua de jamaica", Decimal("20"), 2, available=False),
        ProductView("CHILE", "Chile con carne", Decimal("90"), None),
        ProductView("TAMAL", "Tamales verdes", Decimal("18.50"), None),
    ),
)
ES = TenantContext("t1", "Pizzería Roma", "es", "MXN", "America/Mexico_City")
EN = TenantContext("t2", "Roma Pizza", "en", "USD", "America/New_York")
ANA = CustomerRef("5215512345678", None, "+5215512345678", "Ana")
