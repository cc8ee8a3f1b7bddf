"""A small shop for the KPI tests: products, customers in a few cities, orders at chosen instants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comandia.server.wiring import Collaborators, Runtime
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderDetail, OrderInput, OrderLineInput
from tests.plugins.clock import Clock

SKUS = ("TACO", "REF", "FLAN")
PEOPLE = (
    ("+525511110001", "Ana", "CDMX", "CDMX"),
    ("+525511110002", "Beto", "Puebla", "Puebla"),
    ("+525511110003", "Carla", "CDMX", "CDMX"),
    ("+525511110004", "Dani", None, None),
)


class Shop:
    """A tenant with three products and four customers, and the appliance's orders on a clock of its own."""

    def __init__(self, runtime: Runtime, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        catalog = runtime.services.catalog
        for sku, price in zip(SKUS, ("25.00", "22.50", "7.25"), strict=True):
            catalog.create_product(tenant_id, ProductInput(sku=sku, name=sku.title(), price=Decimal(price)))
        customers = runtime.services.customers
        self.customers = [
            customers.create(tenant_id, CustomerInput(phone=p, name=n, city=c, region=r)).id for p, n, c, r in PEOPLE
        ]
        self.clock = Clock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        self.orders = runtime.rewired(Collaborators(clock=self.clock)).orders

    def order(
        self,
        at: dt.datetime,
        customer: int = 0,
        lines: tuple[tuple[str, int], ...] = (("TACO", 1),),
        city: str | None = None,
        fee: str = "0",
        zone: str | None = None,
        fulfilment: str = "delivery",
        channel: str = "console",
    ) -> OrderDetail:
        self.clock.now = at
        person = PEOPLE[customer]
        data = OrderInput(
            customer_id=self.customers[customer],
            items=tuple(OrderLineInput(q, sku=s) for s, q in lines),
            delivery_city=city if city is not None else person[2],
            delivery_region=person[3],
            delivery_fee=Decimal(fee),
            delivery_zone=zone,
            fulfilment=fulfilment,
            channel=channel,
        )
        return self.orders.create(self.tenant_id, data, actor="tests")

    def cancel(self, order: OrderDetail, at: dt.datetime | None = None) -> OrderDetail:
        self.clock.now = at or self.clock.now
        return self.orders.change_status(self.tenant_id, order.id, "cancelled", "tests", reason="no")

    def move(self, order: OrderDetail, status: str) -> OrderDetail:
        return self.orders.change_status(self.tenant_id, order.id, status, "tests")
