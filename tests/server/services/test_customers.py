"""Customers: E.164 phones, unique phone and wa_id, find-or-create for the WhatsApp flow."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest

from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInfo, CustomerInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def test_create_normalises_the_phone_and_refuses_duplicates(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customers = runtime.services.customers
    ana = customers.create(
        tenant.id, CustomerInput(phone="(55) 1234-5678", name=" Ana  López ", city="CDMX", notes=" "), "MX"
    )
    assert (ana.phone, ana.name, ana.city, ana.notes, ana.wa_id) == (
        "+525512345678",
        "Ana López",
        "CDMX",
        None,
        None,
    )
    assert customers.get(tenant.id, ana.id) == ana
    assert CustomerInfo.from_json(ana.to_json()) == ana
    with pytest.raises(Conflict):
        customers.create(tenant.id, CustomerInput(phone="+52 55 1234 5678"))
    with pytest.raises(ValidationFailed) as caught:
        customers.create(tenant.id, CustomerInput(phone="hola", wa_id="abc", name="\x00"))
    assert set(caught.value.fields) == {"phone", "wa_id", "name"}
    with pytest.raises(NotFound):
        customers.get(tenant.id, 424242)


def test_update_and_delete(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customers = runtime.services.customers
    ana = customers.create(tenant.id, CustomerInput(phone="+525512345678", name="Ana"))
    beto = customers.create(tenant.id, CustomerInput(phone="+525587654321", name="Beto"))
    updated = customers.update(tenant.id, ana.id, CustomerInput(phone="+525512345678", name="Ana María"))
    assert updated.name == "Ana María" and updated.updated_at >= ana.updated_at
    with pytest.raises(Conflict):
        customers.update(tenant.id, beto.id, CustomerInput(phone="+525512345678"))
    catalog = runtime.services.catalog
    catalog.create_product(tenant.id, ProductInput(sku="A", name="A", price=Decimal(1)))
    runtime.services.orders.create(tenant.id, OrderInput(customer_id=ana.id, items=(OrderLineInput(1, sku="A"),)), "t")
    with pytest.raises(Conflict, match="has orders"):
        customers.delete(tenant.id, ana.id)
    customers.delete(tenant.id, beto.id)
    with pytest.raises(NotFound):
        customers.get(tenant.id, beto.id)


def test_find_or_create_by_wa_id_then_phone(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customers = runtime.services.customers
    first = customers.find_or_create(tenant.id, wa_id="5215512345678", name="Ana")
    assert (first.phone, first.wa_id, first.name) == ("+5215512345678", "5215512345678", "Ana")
    again = customers.find_or_create(tenant.id, wa_id="5215512345678", name="Otra")
    assert again.id == first.id and again.name == "Ana"
    typed = customers.create(tenant.id, CustomerInput(phone="+573001112233"))
    found = customers.find_or_create(tenant.id, wa_id="573001112233", name="Beto")
    assert (found.id, found.wa_id, found.name) == (typed.id, "573001112233", "Beto")
    with pytest.raises(ValidationFailed):
        customers.find_or_create(tenant.id)


def test_concurrent_first_messages_create_one_customer(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customers = runtime.services.customers
    barrier, ids = threading.Barrier(4), []

    def arrive() -> None:
        barrier.wait()
        ids.append(customers.find_or_create(tenant.id, wa_id="5491122334455").id)

    threads = [threading.Thread(target=arrive) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(ids) == 4 and len(set(ids)) == 1


def test_list_searches_and_pages(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customers = runtime.services.customers
    made = [
        customers.create(tenant.id, CustomerInput(phone=f"+52551234{i:04d}", name=f"Cliente {i}", city="Puebla"))
        for i in range(7)
    ]
    seen, cursor = [], None
    while True:
        page = customers.list(tenant.id, limit=3, cursor=cursor)
        seen += [c.id for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [c.id for c in reversed(made)]
    assert [c.id for c in customers.list(tenant.id, text="cliente 3").items] == [made[3].id]
    assert [c.id for c in customers.list(tenant.id, text="12340005").items] == [made[5].id]
    assert len(customers.list(tenant.id, text="puebla", limit=0).items) == 1  # clamped to at least one
    with pytest.raises(ValidationFailed):
        customers.list(tenant.id, cursor="not-a-cursor")


def test_the_test_chats_phones_are_kept_out_of_the_list_and_the_export(
    runtime: Runtime, make_tenant: MakeTenant
) -> None:
    """A phone with only test orders (the test chat, a sandbox number) is a manager trying the bot;
    once it orders through a real channel it is a customer like any other."""
    tenant = make_tenant()
    customers, orders = runtime.services.customers, runtime.services.orders
    runtime.services.catalog.create_product(tenant.id, ProductInput(sku="A", name="Taco", price=Decimal("20")))
    tester, buyer, quiet = (
        customers.create(tenant.id, CustomerInput(phone=f"+5255123400{i:02d}", name=name))
        for i, name in enumerate(("Prueba", "Ana", "Beto"))
    )

    def order(customer: CustomerInfo, channel: str) -> None:
        orders.create(
            tenant.id, OrderInput(customer_id=customer.id, items=(OrderLineInput(1, sku="A"),), channel=channel), "t"
        )

    order(tester, "sandbox")
    order(buyer, "sandbox")
    order(buyer, "whatsapp")
    assert [c.name for c in customers.list(tenant.id).items] == ["Beto", "Ana"]
    assert customers.list(tenant.id, text="prueba").items == ()
    today = dt.date.today()

    def exported() -> list[str]:
        export = runtime.services.exports.tenant_export(tenant.id, "customers", "csv", today, today)
        return [row[1] for row in csv.reader(io.StringIO(b"".join(export.chunks).decode("utf-8-sig")))][1:]

    assert exported() == ["Ana", "Beto"]
    order(tester, "console")  # now a customer, in the list and the export alike
    assert [c.name for c in customers.list(tenant.id).items] == ["Beto", "Ana", "Prueba"]
    assert exported() == ["Prueba", "Ana", "Beto"]
    assert quiet.id in {c.id for c in customers.list(tenant.id).items}
