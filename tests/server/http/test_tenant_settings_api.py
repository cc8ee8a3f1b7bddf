"""PATCH/GET /tenants/{id}/settings: a manager words the bot and sets a delivery fee; the bot uses
them at once (through the sandbox chat), and bad settings are refused with the field at fault."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal

import pytest
import requests

from comandia.shared.client import ApiClient, ValidationError
from comandia.shared.client.errors import ForbiddenError
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.sandbox import SandboxMessage, SandboxTurn
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.api import World


def test_a_manager_words_the_bot_and_sets_a_fee_which_the_chat_and_the_order_use(
    superadmin_client: ApiClient, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    superadmin_client.catalog.create_product(tenant.id, ProductInput("PZ-MAR", "Pizza margarita", Decimal("120")))
    saved = superadmin_client.tenants.update_settings(
        tenant.id, delivery_fee=Decimal("35.50"), texts={"greeting": "¡Qué tal! Esto es *{business}*."}
    )
    assert saved.delivery_fee == Decimal("35.50") and saved.locale == "es"
    assert superadmin_client.tenants.settings(tenant.id).texts == {"greeting": "¡Qué tal! Esto es *{business}*."}
    phone = f"+52155{secrets.randbelow(10**8):08d}"

    def say(text: str | None = None, reply_id: str | None = None) -> SandboxTurn:
        return superadmin_client.sandbox.send(tenant.id, SandboxMessage(phone, text=text, reply_id=reply_id))

    assert f"¡Qué tal! Esto es *{tenant.name}*." in say("hola").replies[0].body
    say("2 margarita")
    say(reply_id="checkout")
    say("Ana")
    say("Av. Reforma 222")
    summary = " ".join(r.body for r in say("CDMX").replies)
    assert "Envío — $35.50" in summary and "Total: *$275.50*" in summary
    placed = say("1")
    assert placed.order is not None and placed.order.total == Decimal("275.50")
    order = superadmin_client.orders.get(tenant.id, placed.order.id)
    assert order.delivery_fee == Decimal("35.50") and order.subtotal == Decimal("240.00")


def test_english_and_back_to_the_built_in_text(manager_a_client: ApiClient, world: World) -> None:
    manager_a_client.tenants.update_settings(world.tenant_a.id, texts={"welcome": "Hola {business}"})
    cleared = manager_a_client.tenants.update_settings(world.tenant_a.id, locale="en", texts={"welcome": None})
    assert cleared.locale == "en" and "welcome" not in cleared.texts
    assert manager_a_client.tenants.get(world.tenant_a.id).locale == "en"
    manager_a_client.tenants.update_settings(world.tenant_a.id, locale="es")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"texts": {"no_such_text": "x"}}, "texts.no_such_text"),
        ({"texts": {"welcome": "Hola {cliente}"}}, "texts.welcome"),
        ({"texts": {"welcome": "Hola {business"}}, "texts.welcome"),
        ({"texts": {"welcome": 5}}, "texts.welcome"),
        ({"texts": ["welcome"]}, "texts"),
        ({"locale": "fr"}, "locale"),
        ({"delivery_fee": "-1"}, "delivery_fee"),
        ({"delivery_fee": 12.5}, "delivery_fee"),
        ({"delivery_fee": "1.234"}, "delivery_fee"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_settings_are_refused_with_the_field_at_fault(
    api_url: str, world: World, body: dict[str, object], field: str
) -> None:
    response = requests.patch(
        f"{api_url}/api/v1/tenants/{world.tenant_a.id}/settings",
        json=body,
        timeout=10,
        headers={"Authorization": f"Bearer {world.manager_a.token}"},
    )
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]], response.text


def test_a_viewer_reads_but_cannot_change_and_others_see_nothing(
    viewer_a_client: ApiClient, manager_b_client: ApiClient, world: World
) -> None:
    assert viewer_a_client.tenants.settings(world.tenant_a.id).locale in ("es", "en")
    with pytest.raises(ForbiddenError):
        viewer_a_client.tenants.update_settings(world.tenant_a.id, delivery_fee=Decimal("1"))
    with pytest.raises(ValidationError):
        manager_b_client.tenants.update_settings(world.tenant_b.id, texts={"welcome": "{0}"})
