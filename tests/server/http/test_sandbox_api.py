"""POST /tenants/{id}/sandbox/messages: a conversation with the real bot ends with a real order."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal

import pytest

from comandia.shared.client import ApiClient, ValidationError
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.sandbox import SandboxMessage, SandboxTurn
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.api import World


def _phone() -> str:
    return f"+52155{secrets.randbelow(10**8):08d}"


def test_a_sandbox_conversation_places_a_real_order_of_the_tenant(
    superadmin_client: ApiClient, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    superadmin_client.catalog.create_product(tenant.id, ProductInput("PZ-MAR", "Pizza margarita", Decimal("120")))
    superadmin_client.catalog.create_product(tenant.id, ProductInput("COCA", "Coca-Cola", Decimal("25")))
    phone = _phone()

    def say(text: str | None = None, reply_id: str | None = None) -> SandboxTurn:
        return superadmin_client.sandbox.send(tenant.id, SandboxMessage(phone, text=text, reply_id=reply_id))

    menu = say("menu")
    rows = {row.id for reply in menu.replies for section in reply.sections for row in section.rows}
    assert {"prod:PZ-MAR", "prod:COCA"} <= rows and menu.order is None
    cart = say("quiero 2 piza margarita y una coca")
    assert "checkout" in [b.id for reply in cart.replies for b in reply.buttons]
    for step in (say(reply_id="checkout"), say("Ana López"), say("Av. Siempre Viva 742"), say("Springfield")):
        assert step.order is None and step.replies
    placed = say("1")
    assert placed.order is not None and placed.order.total == Decimal("265.00")
    assert f"#{placed.order.number}" in " ".join(r.body for r in placed.replies)
    order = superadmin_client.orders.get(tenant.id, placed.order.id)
    assert (order.number, order.customer_phone, order.channel) == (placed.order.number, phone, "sandbox")
    assert say("estado").order is None  # a later turn does not report the same order again


@pytest.mark.parametrize(
    "body",
    [
        SandboxMessage("+5215550000001"),
        SandboxMessage("+5215550000001", text="hola", reply_id="menu"),
        SandboxMessage("not a phone", text="hola"),
    ],
    ids=["neither", "both", "bad-phone"],
)
def test_a_message_needs_a_phone_and_exactly_one_of_text_and_reply_id(
    manager_a_client: ApiClient, world: World, body: SandboxMessage
) -> None:
    with pytest.raises(ValidationError):
        manager_a_client.sandbox.send(world.tenant_a.id, body)


def test_forged_reply_ids_and_odd_digits_get_an_answer_not_an_error(
    superadmin_client: ApiClient, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    superadmin_client.catalog.create_product(tenant.id, ProductInput("PZ", "Pizza", Decimal("120")))
    phone = _phone()
    for text, reply_id in (
        ("²", None),
        ("\u0663", None),
        (None, "cat:²"),
        (None, "page:²:1"),
        (None, "prod:PZ"),
        (None, "qty:²"),
        (None, "prod:PZ"),
        ("²", None),
        (None, "qty:99999999999"),
        (None, "cat:99999999999999999999"),
        (None, "rm:nope"),
        (None, "set:²"),
    ):
        turn = superadmin_client.sandbox.send(tenant.id, SandboxMessage(phone, text=text, reply_id=reply_id))
        assert turn.replies and turn.order is None


def test_a_sandbox_chat_is_apart_from_conversations_and_says_when_whatsapp_would_hand_over(
    superadmin_client: ApiClient, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    superadmin_client.catalog.create_product(tenant.id, ProductInput("PZ", "Pizza", Decimal("120")))
    phone = _phone()
    asked = superadmin_client.sandbox.send(tenant.id, SandboxMessage(phone, text="quiero hablar con alguien"))
    assert asked.handoff is True and "persona" in asked.replies[0].body
    after = superadmin_client.sandbox.send(tenant.id, SandboxMessage(phone, text="menu"))
    assert after.handoff is False and after.replies  # nobody takes a test over: the bot goes on
    assert superadmin_client.conversations.list(tenant.id).items == ()  # test chats are not listed
