"""A canned API for the console's screenshots: a `requests.Session` that answers from demo data.

Fake by subclassing: the console and its real API client run unchanged; only the HTTP answers
are made up. Used by scripts/screenshots.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import requests

from comandia.shared.client.capabilities import ADMIN_KPIS, NUMBERS, TENANT_EXPORTS, TENANT_KPIS
from tests.console.kpi_data import sample_admin_report, sample_report

NOW = dt.datetime(2026, 3, 31, 18, 30, tzinfo=dt.UTC)
TENANT_ID = "t7demo0taqueria"
NAMES = ("Ana López", "Carlos Pérez", "María Gómez", "Luis Torres", "Sofía Ramírez", "Jorge Díaz", "Lucía Herrera")
STATUSES = ("new", "new", "confirmed", "shipped", "completed", "completed", "cancelled")


def tenant(
    i: int, name: str, state: str = "active", tz: str = "America/Mexico_City", cur: str = "MXN"
) -> dict[str, Any]:
    return {
        "id": TENANT_ID if i == 0 else f"t{i}demo",
        "name": name,
        "state": state,
        "timezone": tz,
        "currency": cur,
        "locale": "es",
        "server": "primary",
        "database": f"comandia_t{i}",
        "schema_revision": "0007",
        "created_at": (NOW - dt.timedelta(days=40 * (i + 1))).isoformat(),
        "deactivated_at": None if state == "active" else NOW.isoformat(),
    }


TENANTS = [
    tenant(0, "Taquería El Güero"),
    tenant(1, "Panadería Lima", tz="America/Lima", cur="PEN"),
    tenant(2, "Arepas Bogotá", tz="America/Bogota", cur="COP"),
    tenant(3, "Café Sevilla", "deactivated", "Europe/Madrid", "EUR"),
]


def order(n: int) -> dict[str, Any]:
    at = NOW - dt.timedelta(minutes=37 * n)
    total = Decimal(45 + (n * 37) % 260) + Decimal("0.50")
    return {
        "id": 1000 + n,
        "number": 500 - n,
        "status": STATUSES[n % 7],
        "channel": "whatsapp" if n % 4 else "console",
        "customer_id": n % 7 + 1,
        "customer_name": NAMES[n % 7],
        "customer_phone": f"+52 222 555 {1000 + n:04d}",
        "total": str(total),
        "currency": "MXN",
        "version": 2,
        "created_at": at.isoformat(),
        "updated_at": at.isoformat(),
    }


def order_detail(order_id: int) -> dict[str, Any]:
    base = order(order_id - 1000) | {"status": "new"}
    items = [
        {
            "id": 1,
            "product_id": 1,
            "sku": "TACO-01",
            "name": "Taco al pastor",
            "unit_price": "25.00",
            "quantity": 4,
            "line_total": "100.00",
        },
        {
            "id": 2,
            "product_id": 2,
            "sku": "REF-600",
            "name": "Refresco 600 ml",
            "unit_price": "22.50",
            "quantity": 2,
            "line_total": "45.00",
        },
    ]
    history = [{"from_status": None, "to_status": "new", "actor": "whatsapp", "at": base["created_at"], "reason": None}]
    return base | {
        "delivery_address": "Av. Reforma 123, int. 4",
        "delivery_city": "Puebla",
        "delivery_region": "Puebla",
        "notes": "Sin cebolla, por favor",
        "subtotal": "145.00",
        "delivery_fee": "30.00",
        "total": "175.00",
        "extra": {},
        "confirmed_at": None,
        "shipped_at": None,
        "completed_at": None,
        "cancelled_at": None,
        "cancel_reason": None,
        "items": items,
        "history": history,
        "allowed_next": ["confirmed", "cancelled"],
    }


def customer(i: int) -> dict[str, Any]:
    at = (NOW - dt.timedelta(days=i * 3)).isoformat()
    return {
        "id": i + 1,
        "phone": f"+52 222 555 {2000 + i:04d}",
        "wa_id": None,
        "name": NAMES[i % 7],
        "city": ("Puebla", "Cholula", "Tlaxcala")[i % 3],
        "region": "Puebla",
        "default_address": None,
        "notes": None,
        "extra": {},
        "first_order_at": at,
        "last_order_at": at,
        "created_at": at,
        "updated_at": at,
    }


PRODUCTS = [
    ("TACO-01", "Taco al pastor", "Tacos", "25.00", 120),
    ("TACO-02", "Taco de suadero", "Tacos", "27.00", 80),
    ("TORTA-01", "Torta de milanesa", "Tortas", "75.00", None),
    ("QUES-01", "Quesadilla", "Antojitos", "40.00", 35),
    ("AGUA-01", "Agua de jamaica", "Bebidas", "30.00", None),
    ("REF-600", "Refresco 600 ml", "Bebidas", "22.50", 48),
]


def product(i: int, row: tuple[str, str, str, str, int | None]) -> dict[str, Any]:
    sku, name, category, price, stock = row
    return {
        "id": i + 1,
        "sku": sku,
        "name": name,
        "description": "",
        "category_id": 1,
        "category": category,
        "price": price,
        "currency": "MXN",
        "available": i != 3,
        "stock": stock,
        "image_url": None,
        "sort_order": i,
        "extra": {},
        "created_at": NOW.isoformat(),
        "updated_at": NOW.isoformat(),
    }


USER = {"id": 1, "username": "admin", "role": "superadmin", "tenant_id": None, "disabled": False}
USERS = [
    USER,
    {"id": 2, "username": "gerente.guero", "role": "manager", "tenant_id": TENANT_ID, "disabled": False},
    {"id": 3, "username": "caja.guero", "role": "viewer", "tenant_id": TENANT_ID, "disabled": False},
    {"id": 4, "username": "gerente.lima", "role": "manager", "tenant_id": "t1demo", "disabled": True},
]
IMPORT_REPORT = {
    "rows": 6,
    "created": 2,
    "updated": 3,
    "unchanged": 0,
    "applied": False,
    "issues": [
        {"row": 4, "column": "price", "problem": "must be an amount such as 12.50"},
        {"row": 6, "column": "sku", "problem": "appears twice (rows 2 and 6)"},
    ],
}

Route = tuple[str, str, Callable[[re.Match[str]], Any]]
ROUTES: list[Route] = [
    (
        "POST",
        r"/auth/login",
        lambda m: {"token": "demo", "expires_at": (NOW + dt.timedelta(hours=8)).isoformat(), "user": USER},
    ),
    ("GET", r"/auth/me", lambda m: USER),
    (
        "GET",
        r"/openapi\.json",
        lambda m: {"paths": {p: {} for p in (TENANT_KPIS, ADMIN_KPIS, TENANT_EXPORTS, NUMBERS)}},
    ),
    ("GET", r"/tenants", lambda m: {"items": TENANTS}),
    ("GET", r"/tenants/([^/]+)", lambda m: next(t for t in TENANTS if t["id"] == m[1])),
    ("GET", r"/users", lambda m: {"items": USERS}),
    ("GET", r"/tenants/[^/]+/orders", lambda m: {"items": [order(n) for n in range(120)], "next_cursor": None}),
    ("GET", r"/tenants/[^/]+/orders/(\d+)", lambda m: order_detail(int(m[1]))),
    ("GET", r"/tenants/[^/]+/customers", lambda m: {"items": [customer(i) for i in range(40)], "next_cursor": None}),
    ("GET", r"/tenants/[^/]+/products", lambda m: {"items": [product(i, r) for i, r in enumerate(PRODUCTS)]}),
    ("POST", r"/tenants/[^/]+/catalog/import", lambda m: IMPORT_REPORT),
    ("GET", r"/tenants/[^/]+/kpis", lambda m: sample_report().to_json()),
    ("GET", r"/admin/kpis", lambda m: sample_admin_report().to_json()),
    ("GET", r"/tenants/[^/]+/numbers", lambda m: {"items": []}),
]


class DemoSession(requests.Session):
    """Answers the console's requests from the demo data above (404 for anything else)."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        path = str(url).split("/api/v1", 1)[-1].split("?", 1)[0]
        response = requests.Response()
        response.url = str(url)
        for verb, pattern, answer in ROUTES:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                response.status_code = 200
                response._content = json.dumps(answer(match)).encode()
                break
        else:
            response.status_code = 404
            response._content = json.dumps({"title": "Not Found"}).encode()
        response.headers["Content-Type"] = "application/json"
        return response
