"""Item notes ("sin cebolla"): bounded and cleaned on the order line, carried from the chat's draft."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comandia.server.chat.model import CustomerRef, Inbound
from comandia.server.services.orders.pricing import MAX_NOTE, fit_note
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderDetail, OrderEdit, OrderInput, OrderLineInput, OrderQuery
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def shop(runtime: Runtime, make_tenant: MakeTenant) -> tuple[str, int]:
    tenant = make_tenant()
    catalog = runtime.services.catalog
    catalog.create_product(tenant.id, ProductInput(sku="TACO", name="Taco al pastor", price=Decimal("25.00")))
    catalog.create_product(tenant.id, ProductInput(sku="TORTA", name="Torta de milanesa", price=Decimal("80")))
    customer = runtime.services.customers.create(tenant.id, CustomerInput(phone="+52 55 1234 5678", name="Ana"))
    return tenant.id, customer.id


def place(runtime: Runtime, tenant_id: str, customer_id: int, *lines: OrderLineInput) -> OrderDetail:
    return runtime.services.orders.create(tenant_id, OrderInput(customer_id, lines), actor="ana")


def test_a_note_is_kept_on_its_line_cleaned(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant_id, customer_id = shop(runtime, make_tenant)
    order = place(
        runtime, tenant_id, customer_id,
        OrderLineInput(3, sku="TACO", note="  sin   cebolla,\n con mucha salsa "),
        OrderLineInput(1, sku="TORTA", note="   "),
    )  # fmt: skip
    assert [(i.sku, i.note) for i in order.items] == [("TACO", "sin cebolla, con mucha salsa"), ("TORTA", None)]
    assert runtime.services.orders.get(tenant_id, order.id).items == order.items
    assert order.to_json()["items"][0]["note"] == "sin cebolla, con mucha salsa"
    # Edits while new keep or replace the notes with the lines.
    edited = runtime.services.orders.edit(tenant_id, order.id, OrderEdit(notes="timbre roto"), actor="ana")
    assert edited.items[0].note == "sin cebolla, con mucha salsa"
    edited = runtime.services.orders.edit(
        tenant_id, order.id, OrderEdit(items=(OrderLineInput(2, sku="TACO", note="bien dorados"),)), actor="ana"
    )
    assert [(i.sku, i.quantity, i.note) for i in edited.items] == [("TACO", 2, "bien dorados")]


def test_a_bad_note_is_refused_with_its_line(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant_id, customer_id = shop(runtime, make_tenant)
    for note, problem in (("x" * (MAX_NOTE + 1), "at most"), ("sin\x00cebolla", "control")):
        with pytest.raises(ValidationFailed) as caught:
            place(runtime, tenant_id, customer_id, OrderLineInput(1, sku="TACO"), OrderLineInput(1, sku="TORTA",
                                                                                             note=note))  # fmt: skip
        assert list(caught.value.fields) == ["items[1].note"] and problem in caught.value.fields["items[1].note"]
    assert place(runtime, tenant_id, customer_id, OrderLineInput(1, sku="TACO", note="y" * MAX_NOTE)).items[0].note


def test_a_chat_note_is_made_storable_never_refused() -> None:
    assert fit_note(None) is None and fit_note(" \u200b ") == "\u200b" and fit_note("\x07") is None
    assert fit_note("sin\ncebolla\x00porfa") == "sin cebolla porfa"
    long = fit_note("muy " * 100)
    assert long is not None and len(long) == MAX_NOTE and long.endswith("…")


def test_the_chats_notes_reach_the_order_items(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant_id, _ = shop(runtime, make_tenant)
    tenant = runtime.services.contexts.get(tenant_id)
    ana = CustomerRef(wa_id="5215512345678", user_id=None, phone_e164="+5215512345678", profile_name="Ana")
    service = runtime.services.conversations

    def say(message: str | Inbound) -> str:
        inbound = Inbound(kind="text", text=message) if isinstance(message, str) else message
        return "\n".join(r.body for r in service.handle(tenant, "7", ana, inbound))

    say("hola")
    say("quiero 3 tacos al pastor sin cebolla y una torta de milanesa")
    say(Inbound(kind="button", reply_id="checkout"))
    say(Inbound(kind="button", reply_id="usename"))
    say("Av. Reforma 222")
    summary = say("Puebla")
    assert "Taco al pastor" in summary
    placed = say(Inbound(kind="button", reply_id="confirm"))
    assert "#" in placed
    [order] = runtime.services.orders.list(tenant_id, OrderQuery()).items
    detail = runtime.services.orders.get(tenant_id, order.id)
    notes = {i.sku: i.note for i in detail.items}
    assert notes == {"TACO": "sin cebolla", "TORTA": None}, notes
