"""RELIABILITY S1 and S2: every route x every principal against tenant A's objects.

The expected statuses live in `isolation_matrix.toml`. Each cell runs on fresh objects of
tenant A (made through the services), so a permitted DELETE in one cell cannot change another.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import falcon.inspect
import pytest
import requests

from comandia.server.app import create_app
from comandia.server.db.tenant_models import InboxEvent, MediaFile
from comandia.server.http.openapi import build_document
from comandia.server.services.messaging import chatlog
from comandia.server.services.messaging.numbers import NewNumber
from comandia.server.wiring import Runtime
from comandia.shared.schemas.catalog import CategoryInput, ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from tests.plugins.api import PASSWORD, World, make_actor

MATRIX = tomllib.loads((Path(__file__).parent / "isolation_matrix.toml").read_text())["routes"]
CELLS = [(path, method) for path, methods in MATRIX.items() for method in methods]
PRINCIPALS = ("superadmin", "manager_a", "manager_b", "viewer_a", "anonymous", "expired", "revoked")
# these act on the caller's own session or password, so each cell gets a throwaway user
OWN_SESSION = {("/api/v1/auth/logout", "post"), ("/api/v1/auth/password", "post")}
ROLES = {
    "superadmin": ("superadmin", "-"),
    "manager_a": ("manager", "a"),
    "manager_b": ("manager", "b"),
    "viewer_a": ("viewer", "a"),
}


def _unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@dataclass
class Objects:
    """Fresh objects of tenant A for one cell."""

    category_id: int
    product_id: int
    sku: str
    customer_id: int  # has no orders, so it may be deleted
    order_id: int
    user_id: int | None
    number_id: int | None
    backup_id: int | None
    conversation: str | None
    media_id: str | None = None


def _objects(
    runtime: Runtime,
    world: World,
    need_user: bool,
    need_number: bool,
    need_backup: bool,
    need_conversation: bool = False,
) -> Objects:
    s, tenant = runtime.services, world.tenant_a.id
    category = s.catalog.create_category(tenant, CategoryInput(name=_unique("Cat")))
    sku = _unique("SKU")
    product = s.catalog.create_product(tenant, ProductInput(sku=sku, name=sku, price=Decimal("10.00")))
    customer = s.customers.create(tenant, CustomerInput(phone=f"+52155{secrets.randbelow(10**8):08d}"))
    buyer = s.customers.create(tenant, CustomerInput(phone=f"+52155{secrets.randbelow(10**8):08d}"))
    order = s.orders.create(
        tenant, OrderInput(customer_id=buyer.id, items=(OrderLineInput(quantity=1, sku=sku),)), actor="tests"
    )
    user = runtime.users.create(_unique("u"), PASSWORD, "viewer", tenant, actor="tests") if need_user else None
    number = s.numbers.add(tenant, NewNumber(provider="sandbox", e164=_phone()), actor="tests") if need_number else None
    backup = s.backups.backup_tenant(tenant) if need_backup else None
    conversation, media_id = _conversation(runtime, tenant) if need_conversation else (None, None)
    return Objects(
        category.id,
        product.id,
        sku,
        customer.id,
        order.id,
        user.id if user else None,
        number.id if number else None,
        backup.id if backup else None,
        conversation,
        media_id,
    )


def _conversation(runtime: Runtime, tenant_id: str) -> tuple[str, str]:
    """A chat of tenant A whose customer wrote just now (the 24-hour window is open) and sent a
    picture, stored; returns the ids of both."""
    key = f"52155{secrets.randbelow(10**8):08d}"
    media_id = secrets.token_urlsafe(12)
    (runtime.services.media.folder(tenant_id) / media_id).parent.mkdir(parents=True, exist_ok=True)
    (runtime.services.media.folder(tenant_id) / media_id).write_bytes(b"\xff\xd8\xff jpeg")
    with runtime.databases.tenant_session(tenant_id) as session:
        row = chatlog.lock(session, 999_999, key)
        chatlog.record_inbound(row, dt.datetime.now(dt.UTC), "hola")
        public_id = row.public_id
        inbox = InboxEvent(
            provider="meta",
            number_id=999_999,
            provider_message_id=f"wamid.{media_id}",
            customer_key=key,
            kind="media",
            payload={},
            processed_at=dt.datetime.now(dt.UTC),
        )
        session.add(inbox)
        session.flush()
        session.add(
            MediaFile(
                public_id=media_id,
                inbox_id=inbox.id,
                number_id=999_999,
                kind="image",
                provider_ref="1",
                state="stored",
                mime="image/jpeg",
                size=9,
                path=media_id,
            )
        )
        session.commit()
    return public_id, media_id


def _phone() -> str:
    return f"+1555{secrets.randbelow(10**7):07d}"


def _body(path: str, method: str, o: Objects, world: World) -> dict[str, Any] | None:
    key = f"{method.upper()} {path.removeprefix('/api/v1/tenants/{tenant_id}')}"
    phone = f"+52155{secrets.randbelow(10**8):08d}"
    bodies: dict[str, Callable[[], dict[str, Any]]] = {
        "POST /api/v1/auth/login": lambda: {"username": world.manager_a.username, "password": PASSWORD},
        "POST /api/v1/auth/password": lambda: {
            "current_password": PASSWORD,
            "new_password": "another secret 1",
        },
        "POST /api/v1/tenants": lambda: {"name": _unique("Matriz")},
        "POST /api/v1/users": lambda: {
            "username": _unique("new"),
            "password": PASSWORD,
            "role": "viewer",
            "tenant_id": world.tenant_a.id,
        },
        "PATCH /api/v1/users/{user_id}": lambda: {"disabled": False},
        "POST /categories": lambda: {"name": _unique("Cat")},
        "PUT /categories/{category_id}": lambda: {"name": _unique("Cat")},
        "POST /products": lambda: {"sku": _unique("P"), "name": "Agua", "price": "10.00"},
        "PUT /products/{product_id}": lambda: {"sku": _unique("P"), "name": "Agua", "price": "11.00"},
        "PUT /products/{product_id}/availability": lambda: {"available": False},
        "POST /customers": lambda: {"phone": phone},
        "PUT /customers/{customer_id}": lambda: {"phone": phone, "name": "Luis"},
        "POST /orders": lambda: {"customer_id": o.customer_id, "items": [{"quantity": 1, "sku": o.sku}]},
        "PATCH /orders/{order_id}": lambda: {"notes": "sin cebolla"},
        "POST /orders/{order_id}/status": lambda: {"status": "confirmed"},
        "POST /numbers": lambda: {"provider": "sandbox", "e164": _phone()},
        "POST /sandbox/messages": lambda: {"phone": phone, "text": "hola"},
        "PATCH /settings": lambda: {"delivery_fee": "0"},
        "POST /conversations/{conversation}/messages": lambda: {"text": "Hola, soy Ana de la tienda"},
        "POST /api/v1/admin/backups": lambda: {"tenant_id": world.tenant_a.id, "verify": False},
        "POST /api/v1/admin/backups/{backup_id}/restore": lambda: {"name": _unique("Restaurada")},
    }
    return bodies[key]() if key in bodies else None


@pytest.fixture(scope="session")
def revoked_token(runtime: Runtime, world: World) -> str:
    result = runtime.services.auth.login(world.manager_a.username, world.manager_a.password, address="fixture")
    runtime.services.auth.logout(result.token)
    return result.token


@pytest.mark.usefixtures("forget_login_failures")  # other tests' failed logins must not throttle ours
@pytest.mark.parametrize(("path", "method"), CELLS, ids=[f"{m.upper()} {p}" for p, m in CELLS])
def test_every_principal_gets_the_expected_status(
    path: str,
    method: str,
    api_url: str,
    runtime: Runtime,
    world: World,
    expired_token: str,
    revoked_token: str,
) -> None:
    tokens = {
        "superadmin": world.superadmin.token,
        "manager_a": world.manager_a.token,
        "manager_b": world.manager_b.token,
        "viewer_a": world.viewer_a.token,
        "anonymous": None,
        "expired": expired_token,
        "revoked": revoked_token,
    }
    tenants = {"a": world.tenant_a.id, "b": world.tenant_b.id, "-": None}
    differences = []
    for principal in PRINCIPALS:
        token = tokens[principal]
        if (path, method) in OWN_SESSION and principal in ROLES:
            role, tenant = ROLES[principal]
            token = make_actor(runtime, role, tenants[tenant]).token
        o = _objects(
            runtime,
            world,
            need_user="{user_id}" in path,
            need_number="{number_id}" in path,
            need_backup="{backup_id}" in path,
            need_conversation="{conversation}" in path,
        )
        url = api_url + path.format(
            tenant_id=world.tenant_a.id,
            category_id=o.category_id,
            product_id=o.product_id,
            customer_id=o.customer_id,
            order_id=o.order_id,
            user_id=o.user_id,
            number_id=o.number_id,
            backup_id=o.backup_id,
            conversation=o.conversation,
            media_id=o.media_id,
            dataset="orders",
            fmt="csv",
        )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs: dict[str, Any] = {"json": _body(path, method, o, world)}
        if path.endswith("/catalog/import"):
            kwargs = {
                "data": f"sku,name,price\r\n{_unique('I')},Agua,1.00\r\n".encode(),
                "params": {"dry_run": "true"},
            }
            headers["Content-Type"] = "text/csv"
        if "/kpis" in path or "/exports/" in path:
            kwargs["params"] = {"from": "2026-01-01", "to": "2026-01-31"}
        response = requests.request(method.upper(), url, headers=headers, timeout=30, **kwargs)
        expected = MATRIX[path][method][principal]
        if response.status_code != expected:
            differences.append(f"{principal}: expected {expected}, got {response.status_code} {response.text[:200]}")
        if path.endswith("/deactivate") and response.status_code == 200:
            runtime.tenants.reactivate(world.tenant_a.id, actor="tests")
    assert differences == []


def test_server_routes_openapi_paths_and_the_matrix_name_the_same_operations(runtime: Runtime) -> None:
    app = create_app(runtime.services)
    served = {
        (route.path, info.method.lower())
        for route in falcon.inspect.inspect_routes(app)
        for info in route.methods
        # Webhooks live outside the API: authenticated by the provider's signature, not a token,
        # and proven by tests/server/http/test_webhooks.py.
        if not info.internal and not route.path.startswith("/webhooks/")
    }
    documented = {
        (path, method) for path, item in build_document()["paths"].items() for method in item if method != "parameters"
    }
    in_matrix = set(CELLS)
    assert served == documented
    assert documented == in_matrix
