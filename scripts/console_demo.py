"""A canned API for the console's screenshots: a `requests.Session` that answers from demo data.

Fake by subclassing: the console and its real API client run unchanged; only the HTTP answers
are made up. Used by scripts/screenshots.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import requests

from comandia.shared.client.backups import BASE as BACKUPS
from comandia.shared.client.capabilities import ADMIN_KPIS, AUDIT, NUMBERS, SANDBOX_CHAT, TENANT_EXPORTS, TENANT_KPIS
from comandia.shared.i18n import text
from comandia.shared.version import __version__
from tests.console.kpi_data import sample_admin_report, sample_report

NOW = dt.datetime.now(dt.UTC).replace(hour=19, minute=30, second=0, microsecond=0)
"""The demo's "now": today at 13:30 in Mexico City, so the pictures are dated around the day they are taken."""
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
            "note": "sin cebolla, con mucha piña",
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
    # who placed it matches its channel: the customer in the chat, or the manager typing it in the console
    actor = "whatsapp" if base["channel"] == "whatsapp" else "gerente.guero"
    history = [{"from_status": None, "to_status": "new", "actor": actor, "at": base["created_at"], "reason": None}]
    return base | {
        "delivery_address": "Av. Reforma 123, int. 4",
        "delivery_city": "Puebla",
        "delivery_region": "Puebla",
        "notes": "Tocar el timbre; portón verde",
        "delivery_zone": "Centro",
        "payment_method": "cash",
        "pay_with": "200.00",
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

ALIASES = {  # what customers call them in the chat, as the catalog page shows and the docs describe
    "TACO-01": ["pastor", "taco de pastor"],
    "AGUA-01": ["jamaica"],
    "REF-600": ["coca", "refresco"],
}


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
        "aliases": ALIASES.get(sku, []),
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


def import_report(language: str) -> dict[str, Any]:
    """A catalog import's dry run with two bad rows, its problems read in the console's language
    as the server writes them (the same catalog templates, so the Spanish picture reads Spanish)."""
    bad_amount = "must be a number such as 12.50 or 12,50, without symbols or separators"
    return {
        "rows": 6,
        "created": 2,
        "updated": 3,
        "unchanged": 0,
        "applied": False,
        "issues": [
            {"row": 4, "column": "price", "problem": text(language, bad_amount)},
            {"row": 6, "column": "sku", "problem": text(language, "repeats the SKU of row {row}", row=2)},
        ],
    }


def audit_entry(i: int, action: str, actor: str, tenant_id: str | None, **detail: Any) -> dict[str, Any]:
    at = NOW - dt.timedelta(hours=5 * i + 1, minutes=13 * i)
    return {
        "id": 900 - i,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "tenant_id": tenant_id,
        "detail": detail,
    }


AUDIT_ENTRIES = [
    audit_entry(0, "user.enable", "admin", "t1demo", username="gerente.lima"),
    audit_entry(1, "user.password_reset", "admin", TENANT_ID, username="caja.guero"),
    audit_entry(2, "number.add", "admin", TENANT_ID, number_id=3, provider="meta"),
    audit_entry(3, "user.create", "admin", TENANT_ID, username="caja.guero", role="viewer"),
    audit_entry(4, "user.disable", "admin", "t1demo", username="gerente.lima"),
    audit_entry(5, "tenant.deactivate", "admin", "t3demo"),
    audit_entry(6, "tenant.settings", "soporte", "t2demo", delivery_fee="4000"),
    audit_entry(7, "tenant.create", "admin", "t2demo", name="Arepas Bogotá", server="primary"),
    audit_entry(8, "user.create", "admin", "t2demo", username="gerente.arepas", role="manager"),
    audit_entry(9, "tenant.create", "admin", "t1demo", name="Panadería Lima", server="primary"),
]


def backup_state(i: int, verified_days_ago: int | None, failed: bool = False) -> dict[str, Any]:
    last = NOW - dt.timedelta(hours=15.5)  # the nightly backup at 03:00 UTC
    verified = None if verified_days_ago is None else last - dt.timedelta(days=verified_days_ago, seconds=-9)
    return {
        "tenant_id": TENANTS[i]["id"],
        "tenant_name": TENANTS[i]["name"],
        "last_backup_at": last.isoformat(),
        "last_backup_status": "ok",
        "last_verified_at": verified.isoformat() if verified else None,
        "last_check_failed": failed,
    }


# The Güero is fine; Lima's newest restore check failed; Bogotá's last verified restore is old.
BACKUP_STATES = [backup_state(0, 0), backup_state(1, 1, failed=True), backup_state(2, 3), backup_state(3, 0)]


def backup(
    i: int, tenant_id: str, verify: str | None = "ok", detail: str | None = None, failure: Any = None
) -> dict[str, Any]:
    started = NOW - dt.timedelta(days=i, hours=15.5)
    return {
        "id": 60 - i,
        "tenant_id": tenant_id,
        "started_at": started.isoformat(),
        "finished_at": (started + dt.timedelta(seconds=4)).isoformat(),
        "size_bytes": 7_340_032 - i * 41_000,
        "encrypted": True,
        "status": "ok",
        "verified_at": (started + dt.timedelta(seconds=9)).isoformat() if verify else None,
        "verify_result": verify,
        "verify_detail": detail,
        "error": None,
        "verify_failure": failure,
    }


def backups_of(params: dict[str, Any]) -> dict[str, Any]:
    tenant_id = str(params.get("tenant_id") or TENANT_ID)
    # as the server sends a failed check: the English log line, and the failure as data
    failed = "the restored tables differ from the backup's manifest; public.orders: 1204 rows, expected 1205"
    failure = {
        "message": "the restored tables differ from the backup's manifest",
        "values": {},
        "mismatches": [{"table": "public.orders", "kind": "rows", "got": 1204, "expected": 1205}],
    }
    rows = [backup(i, tenant_id) for i in range(6)]
    if tenant_id == "t1demo":
        rows[0] = backup(0, tenant_id, "failed", failed, failure)
    rows[4] = backup(4, tenant_id, None)  # older backups are not all checked again
    return {"items": rows}


def backup_now(body: dict[str, Any]) -> dict[str, Any]:
    done = backup(0, body["tenant_id"]) | {"id": 61, "started_at": (NOW - dt.timedelta(seconds=14)).isoformat()}
    check = {
        "backup_id": 61,
        "ok": True,
        "stage": "compare",
        "detail": "restored and compared",
        "seconds": 8.7,
        "tables": 31,
        "rows": 48_212,
        "problems": [],
    }
    return {"backup": done, "check": check}


def button(reply_id: str, title: str) -> dict[str, Any]:
    return {"id": reply_id, "title": title}


def row(reply_id: str, title: str, price: str) -> dict[str, Any]:
    return {"id": reply_id, "title": title, "description": price}


MENU_TACOS = {"title": "Tacos", "rows": [row("p1", "Taco al pastor", "$25.00"), row("p2", "Taco de suadero", "$27.00")]}
MENU_DRINKS = {"title": "Bebidas", "rows": [row("p5", "Agua de jamaica", "$30.00")]}
CHAT_TURNS: list[dict[str, Any]] = [
    {
        "replies": [
            {
                "body": "¡Hola! Bienvenido a Taquería El Güero ¿Qué se te antoja hoy?",
                "buttons": [button("menu", "Ver menú"), button("orders", "Mis pedidos")],
                "sections": [],
            }
        ]
    },
    {
        "replies": [
            {
                "body": "Este es nuestro menú. Elige un producto:",
                "buttons": [],
                "list_button": "Menú",
                "sections": [MENU_TACOS, MENU_DRINKS],
            }
        ]
    },
    {
        "replies": [
            {
                "body": "Tu pedido:\n1 × Taco al pastor  $25.00\nEnvío  $30.00\nTotal  $55.00\n\n¿Lo confirmamos?",
                "buttons": [button("confirm", "Confirmar"), button("cancel", "Cancelar")],
                "sections": [],
            }
        ]
    },
    {
        "replies": [
            {"body": "¡Listo! Tu pedido #501 está confirmado. Te avisamos cuando salga.", "buttons": [], "sections": []}
        ],
        "order": {"id": 1501, "number": 501, "total": "55.00"},
    },
]
_chat_turn = itertools.count()


def chat_turn() -> dict[str, Any]:
    """The next turn of a canned conversation (the screenshots send the messages in this order)."""
    return CHAT_TURNS[min(next(_chat_turn), len(CHAT_TURNS) - 1)]


def board_orders(params: dict[str, Any]) -> dict[str, Any]:
    """The order list as the board asks it (by status): the last hours' open orders, today's completed."""
    wanted = set(str(params.get("status") or "").split(",")) - {""}
    if not wanted:
        return {"items": [order(n) for n in range(120)], "next_cursor": None}
    recent = 8 if wanted != {"completed"} else 22
    return {"items": [order(n) for n in range(recent) if order(n)["status"] in wanted], "next_cursor": None}


CHATS = [  # (name, state, minutes ago, last message, unread)
    ("Lucía Herrera", "waiting", 2, "¿Puedo hablar con alguien? El repartidor no encuentra la casa", 2),
    ("Carlos Pérez", "human", 9, "Perfecto, gracias por avisar 🙌", 0),
    ("Ana López", "bot", 14, "¡Listo! Tu pedido #500 está confirmado.", 0),
    ("Jorge Díaz", "bot", 41, "Quiero 3 tacos al pastor y una horchata", 0),
    ("María Gómez", "bot", 95, "¿Hasta qué hora abren hoy?", 0),
]


READ: set[int] = set()
"""Chats the console marked read (their unread count is 0 from then on, as on the server)."""


def mark_read(i: int) -> dict[str, Any]:
    READ.add(i)
    return chat(i)


def chat(i: int) -> dict[str, Any]:
    name, state, minutes, text, unread = CHATS[i]
    unread = 0 if i in READ else unread
    at = (NOW - dt.timedelta(minutes=minutes)).isoformat()
    return {
        "id": f"c{i}demo000000000000000",
        "number_id": 1,
        "customer_phone": f"+52 222 555 {2000 + i:04d}",
        "customer_name": name,
        "state": state,
        "state_changed_at": at,
        "handoff_reason": "asked" if state == "waiting" else None,
        "agent": "gerente" if state == "human" else None,
        "last_message_at": at,
        "last_message_text": text,
        "last_direction": "in" if state != "human" else "out",
        "unread": unread,
    }


def chat_detail(chat_id: str) -> dict[str, Any]:
    summary = chat(int(chat_id[1]))

    def said(minutes: int, direction: str, text: str, **more: Any) -> dict[str, Any]:
        at = (NOW - dt.timedelta(minutes=minutes)).isoformat()
        return {"id": f"m{minutes}{direction}", "direction": direction, "at": at, "kind": "text", "text": text} | more

    messages = [
        said(31, "in", "Hola, quiero pedir para llevar a domicilio"),
        said(
            31,
            "out",
            "¡Hola Lucía! ¿Qué se te antoja hoy?",
            reply={
                "body": "¡Hola Lucía! ¿Qué se te antoja hoy?",
                "buttons": [{"id": "menu", "title": "Ver menú"}, {"id": "repeat", "title": "Repetir pedido"}],
            },
            status="read",
        ),
        said(30, "in", "2 tacos al pastor y una horchata grande"),
        said(30, "out", "Tu pedido: 2× Taco al pastor, 1× Horchata grande. Total $95.00", status="read"),
        said(29, "in", "Confirmar"),
        said(29, "out", "¡Listo! Tu pedido #493 está confirmado. Te avisamos cuando salga.", status="delivered"),
        said(3, "in", "El repartidor no encuentra la casa, es la puerta verde junto a la farmacia"),
        said(2, "in", "¿Puedo hablar con alguien?"),
        said(2, "out", "Te comunico con una persona del negocio; te responde en unos minutos.", status="delivered"),
    ]
    return {
        "conversation": summary,
        "messages": messages,
        "more_messages": False,
        "orders": [order(7)],
        "window_open": True,
        "window_closes_at": (NOW + dt.timedelta(hours=23)).isoformat(),
        "reply_mode": "text",
        "template": None,
    }


Route = tuple[str, str, Callable[[re.Match[str]], Any]]


def tenant_settings() -> dict[str, Any]:
    """The business rules of the demo taquería, as the rules page reads them."""
    lunch_and_dinner = [["13:00", "17:00"], ["19:00", "23:00"]]
    return {
        "locale": "es",
        "delivery_fee": "35.00",
        "texts": {},
        "opening_hours": {
            **{day: lunch_and_dinner for day in ("tue", "wed", "thu", "fri", "sat")},
            "sun": [["13:00", "18:00"]],
            "mon": [],
        },
        "closed_days": [(NOW.date() + dt.timedelta(days=12)).isoformat()],
        "orders_paused": False,
        "paused_message": "",
        "after_hours": "take_for_later",
        "fulfilment": "both",
        "pickup_address": "Av. Álvaro Obregón 120, Roma Norte, CDMX",
        "business_location": {"latitude": 19.4194, "longitude": -99.1617},
        "delivery_zones": [
            {
                "name": "Roma y Condesa",
                "fee": "25.00",
                "cities": ["Roma Norte", "Roma Sur", "Condesa"],
                "radius_km": None,
                "minimum_order": "150.00",
                "eta_minutes": 35,
            },
            {
                "name": "Hasta 5 km",
                "fee": "45.00",
                "cities": [],
                "radius_km": 5.0,
                "minimum_order": "250.00",
                "eta_minutes": 50,
            },
        ],
        "minimum_order": "120.00",
        "eta_minutes": 40,
        "payment_methods": [
            {"kind": "cash", "details": ""},
            {"kind": "card_on_delivery", "details": ""},
            {"kind": "transfer", "details": "BBVA · CLABE 012180001234567891 · Taquería Demo"},
        ],
        "order_alerts": ["cocina@taqueria.example", "+52 55 1234 5678"],
        "faq": [
            {"question": "¿Tienen opciones vegetarianas?", "answer": "Sí: tacos de hongos y de nopal."},
            {"question": "¿Facturan?", "answer": "Sí, pídala al confirmar su pedido."},
        ],
        "customer_cancel_minutes": 5,
        "handoff_idle_minutes": 30,
        "handoff_template": "respuesta_asesor",
        "handoff_template_language": "es_MX",
        "media_retention_days": 90,
    }


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
        lambda m: {
            "info": {"version": __version__},
            "paths": {p: {} for p in (TENANT_KPIS, ADMIN_KPIS, TENANT_EXPORTS, NUMBERS, AUDIT, SANDBOX_CHAT, BACKUPS)},
        },
    ),
    ("GET", r"/tenants", lambda m: {"items": TENANTS}),
    ("GET", r"/tenants/([^/]+)", lambda m: next(t for t in TENANTS if t["id"] == m[1])),
    ("GET", r"/users", lambda m: {"items": USERS}),
    (
        "GET",
        r"/tenants/[^/]+/conversations",
        lambda m: {"items": [chat(i) for i in range(len(CHATS))], "next_cursor": None},
    ),
    ("GET", r"/tenants/[^/]+/conversations/([^/]+)", lambda m: chat_detail(m[1])),
    ("GET", r"/tenants/[^/]+/changes", lambda m: {"items": [], "cursor": 1}),
    ("POST", r"/tenants/[^/]+/conversations/([^/]+)/read", lambda m: mark_read(int(m[1][1]))),
    ("GET", r"/tenants/[^/]+/orders/(\d+)", lambda m: order_detail(int(m[1]))),
    ("GET", r"/tenants/[^/]+/customers", lambda m: {"items": [customer(i) for i in range(40)], "next_cursor": None}),
    ("GET", r"/tenants/[^/]+/products", lambda m: {"items": [product(i, r) for i, r in enumerate(PRODUCTS)]}),
    ("GET", r"/tenants/[^/]+/kpis", lambda m: sample_report(last=NOW.date()).to_json()),
    ("GET", r"/admin/kpis", lambda m: sample_admin_report(last=NOW.date()).to_json()),
    ("GET", r"/tenants/[^/]+/numbers", lambda m: {"items": []}),
    ("GET", r"/tenants/[^/]+/settings", lambda m: tenant_settings()),
    ("GET", r"/tenants/[^/]+/order-alerts", lambda m: {"items": []}),  # no failed new-order alert to show
    ("GET", r"/admin/audit", lambda m: {"items": AUDIT_ENTRIES, "next_cursor": None}),
    ("GET", r"/admin/backups/tenants", lambda m: {"items": BACKUP_STATES}),
    ("POST", r"/tenants/[^/]+/sandbox/messages", lambda m: chat_turn()),
]
# Routes whose answer depends on the query string, the JSON body or the Accept-Language header:
# answer(match, params, body, language).
QueryRoute = tuple[str, str, Callable[[re.Match[str], dict[str, Any], Any, str], Any]]
QUERY_ROUTES: list[QueryRoute] = [
    ("GET", r"/admin/backups", lambda m, params, body, language: backups_of(params)),
    ("GET", r"/tenants/[^/]+/orders", lambda m, params, body, language: board_orders(params)),
    ("POST", r"/admin/backups", lambda m, params, body, language: backup_now(body)),
    ("POST", r"/tenants/[^/]+/catalog/import", lambda m, params, body, language: import_report(language)),
]


class DemoSession(requests.Session):
    """Answers the console's requests from the demo data above (404 for anything else)."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        path = str(url).split("/api/v1", 1)[-1].split("?", 1)[0]
        response = requests.Response()
        response.url = str(url)
        params, body = kwargs.get("params") or {}, kwargs.get("json")
        language = str((kwargs.get("headers") or {}).get("Accept-Language") or "en")
        answers = [(v, p, lambda m, a=a: a(m)) for v, p, a in ROUTES]
        answers += [(v, p, lambda m, a=a: a(m, params, body, language)) for v, p, a in QUERY_ROUTES]
        for verb, pattern, answer in answers:
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
