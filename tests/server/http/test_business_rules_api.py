"""PATCH/GET /tenants/{id}/settings for the business rule keys: every key is taken, given back as it
was stored (normalised), replaced whole by the next PATCH that names it, and refused with a 422
naming the field at fault when it breaks a rule."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import requests

from comandia.server.services.tenancy.tenants import NewTenant
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from comandia.shared.schemas.rules import RULE_KEYS, DeliveryZone, FaqEntry, Location, OpeningHours, PaymentMethod
from comandia.shared.schemas.tenants import TenantInfo, TenantSettingsChange
from tests.plugins.api import World

Patch = Callable[[dict[str, Any]], requests.Response]


@pytest.fixture(scope="module")
def tenant(runtime: Runtime) -> TenantInfo:
    """A tenant of this module's own: the shared ones must not be paused or closed under others."""
    return runtime.tenants.create(NewTenant(name=f"Reglas {secrets.token_hex(3)}"), actor="tests")


@pytest.fixture
def patch(api_url: str, world: World, tenant: TenantInfo) -> Patch:
    def send(body: dict[str, Any]) -> requests.Response:
        return requests.patch(
            f"{api_url}/api/v1/tenants/{tenant.id}/settings",
            json=body,
            timeout=10,
            headers={"Authorization": f"Bearer {world.superadmin.token}"},
        )

    return send


_HOURS = {"mon": [["09:00", "14:00"], ["18:00", "23:30"]], "sat": [["20:00", "02:00"]], "sun": [["12:00", "24:00"]]}

VALID: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"opening_hours": _HOURS}, {"opening_hours": {**{d: [] for d in ("tue", "wed", "thu", "fri")}, **_HOURS}}),
    ({"opening_hours": None}, {"opening_hours": None}),
    ({"closed_days": ["2026-12-25", "2026-01-01", "2026-12-25"]}, {"closed_days": ["2026-01-01", "2026-12-25"]}),
    (
        {"orders_paused": True, "paused_message": "  Cocina llena, volvemos en 20 min "},
        {"orders_paused": True, "paused_message": "Cocina llena, volvemos en 20 min"},
    ),
    ({"orders_paused": False}, {"orders_paused": False}),
    ({"after_hours": "menu_only"}, {"after_hours": "menu_only"}),
    (
        {"fulfilment": "both", "pickup_address": "Av. Juárez 12, Centro"},
        {"fulfilment": "both", "pickup_address": "Av. Juárez 12, Centro"},
    ),
    ({"fulfilment": "delivery"}, {"fulfilment": "delivery"}),
    (
        {"business_location": {"latitude": 19.4326, "longitude": -99.1332}},
        {"business_location": {"latitude": 19.4326, "longitude": -99.1332}},
    ),
    (
        {
            "delivery_zones": [
                {
                    "name": "Centro",
                    "cities": ["Centro", " Roma Norte "],
                    "fee": "30",
                    "minimum_order": 100,
                    "eta_minutes": 40,
                },
                {"name": "Cerca", "radius_km": 3.5, "fee": "0"},
            ]
        },
        {
            "delivery_zones": [
                {
                    "name": "Centro",
                    "cities": ["Centro", "Roma Norte"],
                    "fee": "30",
                    "minimum_order": "100",
                    "eta_minutes": 40,
                    "radius_km": None,
                },
                {
                    "name": "Cerca",
                    "radius_km": 3.5,
                    "fee": "0",
                    "cities": [],
                    "minimum_order": "0",
                    "eta_minutes": None,
                },
            ]
        },
    ),
    ({"minimum_order": "150.50"}, {"minimum_order": "150.50"}),
    ({"eta_minutes": 45}, {"eta_minutes": 45}),
    ({"eta_minutes": None}, {"eta_minutes": None}),
    (
        {
            "payment_methods": [
                {"kind": "cash"},
                {"kind": "transfer", "details": "BBVA CLABE 012180001234567890"},
                {"kind": "link", "details": "https://pago.example/rosa"},
            ]
        },
        {
            "payment_methods": [
                {"kind": "cash", "details": ""},
                {"kind": "transfer", "details": "BBVA CLABE 012180001234567890"},
                {"kind": "link", "details": "https://pago.example/rosa"},
            ]
        },
    ),
    (
        {"order_alerts": ["+52 1 55 1234 5678", "Cocina@Example.com"]},
        {"order_alerts": ["+5215512345678", "cocina@example.com"]},
    ),
    (
        {"faq": [{"question": "¿Tienen estacionamiento?", "answer": "Sí, en la parte de atrás."}]},
        {"faq": [{"question": "¿Tienen estacionamiento?", "answer": "Sí, en la parte de atrás."}]},
    ),
    ({"customer_cancel_minutes": 10}, {"customer_cancel_minutes": 10}),
    ({"customer_cancel_minutes": None}, {"customer_cancel_minutes": None}),
    ({"handoff_idle_minutes": 15}, {"handoff_idle_minutes": 15}),
]


@pytest.mark.parametrize(("body", "shown"), VALID, ids=[next(iter(b)) + str(i) for i, (b, _) in enumerate(VALID)])
def test_each_key_is_taken_and_given_back_as_stored(patch: Patch, body: dict[str, Any], shown: dict[str, Any]) -> None:
    response = patch(body)
    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in shown} == shown


def test_a_patch_replaces_the_whole_value_and_leaves_other_keys(patch: Patch) -> None:
    assert (
        patch(
            {
                "opening_hours": {"mon": [["09:00", "14:00"]], "tue": [["09:00", "14:00"]]},
                "faq": [{"question": "a", "answer": "b"}, {"question": "c", "answer": "d"}],
            }
        ).status_code
        == 200
    )
    answer = patch({"opening_hours": {"wed": [["10:00", "12:00"]]}}).json()
    assert answer["opening_hours"]["mon"] == [] and answer["opening_hours"]["wed"] == [["10:00", "12:00"]]
    assert len(answer["faq"]) == 2  # not named: kept
    assert patch({"faq": [{"question": "e", "answer": "f"}]}).json()["faq"] == [{"question": "e", "answer": "f"}]


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"opening_hours": {"mon": [["09:00", "14:00"], ["13:00", "18:00"]]}}, "opening_hours.mon[1]"),
    ({"opening_hours": {"sun": [["22:00", "03:00"]], "mon": [["02:00", "10:00"]]}}, "opening_hours.mon[0]"),
    ({"opening_hours": {"tue": [["10:00", "10:00"]]}}, "opening_hours.tue[0]"),
    ({"opening_hours": {"tue": [["24:00", "10:00"]]}}, "opening_hours.tue[0]"),
    ({"opening_hours": {"tue": [["9:00", "10:00"]]}}, "opening_hours.tue[0][0]"),
    ({"opening_hours": {"fri": [["09:00", "25:00"]]}}, "opening_hours.fri[0][1]"),
    ({"opening_hours": {"funday": []}}, "opening_hours.funday"),
    ({"opening_hours": [["09:00", "10:00"]]}, "opening_hours"),
    ({"closed_days": ["2026-02-30"]}, "closed_days[0]"),
    ({"closed_days": "2026-12-25"}, "closed_days"),
    ({"orders_paused": "yes"}, "orders_paused"),
    ({"orders_paused": None}, "orders_paused"),
    ({"paused_message": "x" * 1001}, "paused_message"),
    ({"after_hours": "sleep"}, "after_hours"),
    ({"fulfilment": "drone"}, "fulfilment"),
    ({"fulfilment": "pickup", "pickup_address": "  "}, "pickup_address"),
    ({"business_location": {"latitude": 91, "longitude": 0}}, "business_location.latitude"),
    ({"business_location": {"latitude": "19.4"}}, "business_location.latitude"),
    ({"delivery_zones": [{"name": "Centro", "cities": ["Centro"]}]}, "delivery_zones[0].fee"),
    ({"delivery_zones": [{"name": "Centro", "cities": ["Centro"], "fee": "-5"}]}, "delivery_zones[0].fee"),
    ({"delivery_zones": [{"name": "Centro", "cities": ["Centro"], "fee": 12.5}]}, "delivery_zones[0].fee"),
    ({"delivery_zones": [{"name": "Centro", "cities": ["Centro"], "fee": "1.234"}]}, "delivery_zones[0].fee"),
    (
        {"delivery_zones": [{"name": "Centro", "cities": ["Centro"], "fee": "5", "minimum_order": "-1"}]},
        "delivery_zones[0].minimum_order",
    ),
    ({"delivery_zones": [{"name": "Centro", "fee": "5"}]}, "delivery_zones[0]"),
    ({"delivery_zones": [{"name": "Centro", "fee": "5", "cities": ["Centro"], "radius_km": 2}]}, "delivery_zones[0]"),
    (
        {"delivery_zones": [{"name": "A", "fee": "5", "cities": ["x"]}, {"name": "a", "fee": "5", "cities": ["y"]}]},
        "delivery_zones[1].name",
    ),
    ({"delivery_zones": [{"name": "Cerca", "fee": "5", "radius_km": 0}]}, "delivery_zones[0].radius_km"),
    ({"delivery_zones": [{"name": "Cerca", "fee": "5", "radius_km": 2, "colour": "red"}]}, "delivery_zones[0].colour"),
    ({"minimum_order": "-10"}, "minimum_order"),
    ({"minimum_order": 10.5}, "minimum_order"),
    ({"eta_minutes": 0}, "eta_minutes"),
    ({"payment_methods": [{"kind": "bitcoin"}]}, "payment_methods[0].kind"),
    ({"payment_methods": [{"kind": "transfer"}]}, "payment_methods[0].details"),
    ({"payment_methods": [{"kind": "link", "details": "pagame por favor"}]}, "payment_methods[0].details"),
    ({"payment_methods": [{"kind": "cash"}, {"kind": "cash"}]}, "payment_methods[1].kind"),
    ({"order_alerts": ["not a phone"]}, "order_alerts[0]"),
    ({"order_alerts": ["ana@"]}, "order_alerts[0]"),
    ({"faq": [{"question": "¿Horario?"}]}, "faq[0].answer"),
    ({"faq": [{"question": " ", "answer": "x"}]}, "faq[0]"),
    ({"customer_cancel_minutes": -1}, "customer_cancel_minutes"),
    ({"customer_cancel_minutes": "10"}, "customer_cancel_minutes"),
    ({"handoff_idle_minutes": 0}, "handoff_idle_minutes"),
    ({"handoff_idle_minutes": None}, "handoff_idle_minutes"),
]


@pytest.mark.parametrize(("body", "field"), INVALID, ids=[f for _, f in INVALID])
def test_bad_values_are_refused_naming_the_field(patch: Patch, body: dict[str, Any], field: str) -> None:
    response = patch(body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]], response.text


def test_a_refused_patch_changes_nothing(patch: Patch) -> None:
    before = patch({"minimum_order": "80"}).json()
    assert patch({"minimum_order": "90", "eta_minutes": 0}).status_code == 422
    assert patch({}).json() == before


def test_a_radius_zone_needs_the_business_location_and_keeps_it(patch: Patch) -> None:
    assert patch({"delivery_zones": [], "business_location": None}).status_code == 200
    refused = patch({"delivery_zones": [{"name": "Cerca", "fee": "10", "radius_km": 3}]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "delivery_zones[0].radius_km"
    assert (
        patch(
            {
                "delivery_zones": [{"name": "Cerca", "fee": "10", "radius_km": 3}],
                "business_location": {"latitude": 19.43, "longitude": -99.13},
            }
        ).status_code
        == 200
    )
    refused = patch({"business_location": None})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "business_location"


def test_pickup_needs_its_address(patch: Patch) -> None:
    assert patch({"fulfilment": "delivery", "pickup_address": ""}).status_code == 200
    refused = patch({"fulfilment": "pickup"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "fulfilment"


def test_every_rule_key_is_in_the_answer_and_the_change(superadmin_client: ApiClient, tenant: TenantInfo) -> None:
    shown = superadmin_client.tenants.settings(tenant.id).to_json()
    assert set(RULE_KEYS) <= set(shown)
    assert set(RULE_KEYS) <= set(TenantSettingsChange.__struct_fields__)


def test_the_typed_client_sends_every_kind_of_value(superadmin_client: ApiClient, tenant: TenantInfo) -> None:
    change = TenantSettingsChange(
        opening_hours=OpeningHours(mon=(("09:00", "21:00"),)),
        closed_days=(dt.date(2026, 12, 25),),
        business_location=Location(19.43, -99.13),
        fulfilment="both",
        pickup_address="Av. Juárez 12",
        delivery_zones=(DeliveryZone("Centro", Decimal("25.50"), cities=("Centro",)),),
        payment_methods=(PaymentMethod("cash"),),
        faq=(FaqEntry("¿Horario?", "De 9 a 21"),),
        customer_cancel_minutes=None,
        minimum_order=Decimal("99"),
    )
    saved = superadmin_client.tenants.change_settings(tenant.id, change)
    assert saved.opening_hours == OpeningHours(mon=(("09:00", "21:00"),))
    assert saved.delivery_zones[0].fee == Decimal("25.50") and saved.minimum_order == Decimal("99")
    assert saved.closed_days == (dt.date(2026, 12, 25),) and saved.customer_cancel_minutes is None


def test_a_viewer_cannot_pause_and_another_tenants_manager_gets_404(
    api_url: str, world: World, tenant: TenantInfo
) -> None:
    for actor, status in ((world.viewer_a, 403), (world.manager_b, 404)):
        response = requests.patch(
            f"{api_url}/api/v1/tenants/{world.tenant_a.id}/settings",
            timeout=10,
            json={"orders_paused": True},
            headers={"Authorization": f"Bearer {actor.token}"},
        )
        assert response.status_code == status, response.text


def test_a_sandbox_order_stores_its_zone_fee_and_payment(
    superadmin_client: ApiClient, make_tenant: Callable[..., TenantInfo]
) -> None:
    from comandia.shared.schemas.catalog import ProductInput
    from comandia.shared.schemas.sandbox import SandboxMessage

    shop = make_tenant()
    superadmin_client.catalog.create_product(shop.id, ProductInput("PZ-MAR", "Pizza margarita", Decimal("120")))
    superadmin_client.tenants.change_settings(
        shop.id,
        TenantSettingsChange(
            delivery_zones=(DeliveryZone("Centro", Decimal("30"), cities=("Centro",), eta_minutes=40),),
            payment_methods=(PaymentMethod("cash"), PaymentMethod("card_on_delivery")),
        ),
    )
    phone = f"+52155{secrets.randbelow(10**8):08d}"
    for text in ("2 margarita", None, "Ana", "Av. Juárez 5, Centro", "Puebla", "efectivo", "500"):
        turn = superadmin_client.sandbox.send(
            shop.id, SandboxMessage(phone, text=text, reply_id=None if text else "checkout")
        )
    summary = " ".join(r.body for r in turn.replies)
    assert "Tiempo estimado: 40 min" in summary and "tu cambio" in summary
    placed = superadmin_client.sandbox.send(shop.id, SandboxMessage(phone, text="1"))
    assert placed.order is not None and placed.order.total == Decimal("270.00")
    order = superadmin_client.orders.get(shop.id, placed.order.id)
    assert (order.fulfilment, order.delivery_zone, order.delivery_fee) == ("delivery", "Centro", Decimal("30.00"))
    assert (order.payment_method, order.pay_with) == ("cash", Decimal("500.00"))
