"""Issue 14, finding 4 (S15): hostile values in the API get a clear 4xx, never a 500, and never
break a list afterwards. Each test is the attack as it was run against a live instance."""

from __future__ import annotations

import base64
import json
import secrets
from decimal import Decimal
from typing import Any

import pytest
import requests

from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from tests.plugins.api import World


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.manager_a.token}"}


def _nested(depth: int) -> Any:
    value: Any = "fondo"
    for _ in range(depth):
        value = {"a": value}
    return value


def _customers(api_url: str, world: World) -> str:
    return f"{api_url}/api/v1/tenants/{world.tenant_a.id}/customers"


def _phone() -> str:
    return f"+52155{secrets.randbelow(10**8):08d}"


@pytest.mark.parametrize(
    ("what", "extra"),
    [
        ("500 levels deep", _nested(500)),
        ("17 levels deep", _nested(17)),
        ("20 KiB", {"notas": "x" * 20_000}),
        ("5,000 keys", {f"k{i}": i for i in range(5_000)}),
    ],
)
def test_extra_too_deep_or_too_big_is_refused_and_the_list_still_answers(
    api_url: str, world: World, what: str, extra: Any
) -> None:
    body = {"phone": _phone(), "name": "Hostil", "extra": extra}
    answer = requests.post(_customers(api_url, world), json=body, headers=_auth(world), timeout=30)
    assert answer.status_code in (400, 413, 422), what
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "extra" in answer.text
    listing = requests.get(_customers(api_url, world), headers=_auth(world), timeout=30)
    assert listing.status_code == 200


def test_extra_within_the_limits_is_kept(api_url: str, world: World) -> None:
    body = {"phone": _phone(), "name": "Normal", "extra": {"nivel": _nested(10), "notas": "x" * 1000}}
    answer = requests.post(_customers(api_url, world), json=body, headers=_auth(world), timeout=30)
    assert answer.status_code == 201, answer.text
    assert answer.json()["extra"]["notas"] == "x" * 1000


def test_any_request_body_nested_beyond_the_decoder_is_a_400_not_a_500(api_url: str, world: World) -> None:
    raw = b'{"phone": "+5215512345678", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = requests.post(
        _customers(api_url, world), data=raw, timeout=30, headers={**_auth(world), "Content-Type": "application/json"}
    )
    assert answer.status_code in (400, 422)


def _cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("-id", None, 2**63),
        _cursor("-id", None, 2**64 + 5),
        _cursor("-id", None, -(2**63) - 1),
        _cursor("-id", None, True),
        _cursor("-id", None, 10**40),
    ],
)
def test_customer_cursor_with_an_id_beyond_bigint_is_a_400(api_url: str, world: World, cursor: str) -> None:
    answer = requests.get(_customers(api_url, world), params={"cursor": cursor}, headers=_auth(world), timeout=30)
    assert answer.status_code in (400, 422), answer.text
    assert "cursor" in answer.text


@pytest.mark.parametrize("key", [2**63, "99999999999999999999999", 10**30])
def test_order_cursor_with_a_key_or_id_beyond_bigint_is_a_400(api_url: str, world: World, key: Any) -> None:
    url = f"{api_url}/api/v1/tenants/{world.tenant_a.id}/orders"
    for cursor in (_cursor("-number", key, 1), _cursor("-number", 1, key), _cursor("-total", "1e999999", 1)):
        answer = requests.get(
            url, params={"cursor": cursor, "sort": cursor and _sort_of(cursor)}, headers=_auth(world), timeout=30
        )
        assert answer.status_code in (400, 422), (cursor, answer.text)


def _sort_of(cursor: str) -> str:
    return str(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))[0])


def _order(client: ApiClient, tenant_id: str) -> tuple[int, str]:
    sku = f"SKU-{secrets.token_hex(4)}"
    client.catalog.create_product(tenant_id, ProductInput(sku=sku, name=f"Taco {sku}", price=Decimal("25.00")))
    customer = client.customers.create(tenant_id, CustomerInput(phone=_phone(), name="Ana"))
    order = client.orders.create(
        tenant_id, OrderInput(customer_id=customer.id, items=(OrderLineInput(quantity=1, sku=sku),))
    )
    return order.id, order.etag


@pytest.mark.parametrize("if_match", ['"' + "9" * 5_000 + '"', "9" * 5_000, '"²"', 'W/"-1"', '"' + "9" * 19 + '"'])
def test_if_match_of_thousands_of_digits_is_a_clear_4xx(
    api_url: str, manager_a_client: ApiClient, world: World, if_match: str
) -> None:
    order_id, _ = _order(manager_a_client, world.tenant_a.id)
    url = f"{api_url}/api/v1/tenants/{world.tenant_a.id}/orders/{order_id}"
    answer = requests.patch(
        url, json={"notes": "sin cebolla"}, timeout=30, headers={**_auth(world), "If-Match": if_match}
    )
    assert answer.status_code in (400, 412, 422), answer.text
    status = requests.post(
        f"{url}/status", json={"status": "confirmed"}, timeout=30, headers={**_auth(world), "If-Match": if_match}
    )
    assert status.status_code in (400, 412, 422), status.text
    assert requests.get(url, headers=_auth(world), timeout=30).json()["status"] == "new"
