"""OpenAPI paths of the tenant-scoped API: catalog, imports, customers, orders.

Body schemas state the JSON types the edge enforces; business rules (lengths of names, phone
spellings, money precision) are the services' and answer 422 with the field named.
"""

from __future__ import annotations

from comandia.server.http.openapi_schemas import ID, TENANT_PARAM, Schema, op, path_param, query_param, ref
from comandia.shared.schemas.catalog import (
    CategoryInfo,
    CategoryInput,
    CategoryList,
    ImportReport,
    ProductAvailability,
    ProductInfo,
    ProductInput,
    ProductList,
)
from comandia.shared.schemas.customers import CustomerInfo, CustomerInput, CustomerPage
from comandia.shared.schemas.orders import OrderDetail, OrderEdit, OrderInput, OrderPage, StatusRequest

_LIMIT = query_param(
    "limit", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "page size; above 200 is clamped to 200"
)
_CURSOR = query_param("cursor", {"type": "string", "maxLength": 500})
_Q = query_param("q", {"type": "string", "maxLength": 200}, "text search")
_IF_MATCH: Schema = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "the ETag from GET; a stale one answers 412",
}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_READ = (404,)
_WRITE = (403, 404, 409)


def _linked(operation: Schema, status: int, item_path: str, noun: str, methods: tuple[str, ...]) -> Schema:
    """Add OpenAPI links from a create's answer to the item's operations (stateful fuzzing, S9)."""
    pointer = item_path.replace("~", "~0").replace("/", "~1")
    operation["responses"][str(status)]["links"] = {
        f"{method.capitalize()}{noun.capitalize()}": {
            "operationRef": f"#/paths/{pointer}/{method}",
            "parameters": {"tenant_id": "$request.path.tenant_id", f"{noun}_id": "$response.body#/id"},
        }
        for method in methods
    }
    return operation


def _template_operation() -> Schema:
    operation = op(
        "The import template, CSV (default) or XLSX",
        (200, {"type": "string"}),
        (404, 422),
        ok_type="text/csv",
        params=[query_param("format", {"enum": ["csv", "xlsx"]}, "file type (default csv)")],
    )
    operation["responses"]["200"]["content"][_XLSX] = {"schema": {"type": "string", "format": "binary"}}
    return operation


def _item(noun: str) -> list[Schema]:
    return [TENANT_PARAM, path_param(f"{noun}_id", ID)]


def tenant_paths() -> dict[str, Schema]:
    base = "/api/v1/tenants/{tenant_id}"
    order_params = [
        query_param("status", {"type": "string"}, "one or more statuses, comma-separated"),
        query_param("customer_id", {"type": "integer", "minimum": 1}),
        query_param("from", {"type": "string", "format": "date"}, "first local day, YYYY-MM-DD"),
        query_param("to", {"type": "string", "format": "date"}, "last local day (included)"),
        _Q,
        query_param("sort", {"type": "string", "maxLength": 20}),
        _LIMIT,
        _CURSOR,
    ]
    return {
        f"{base}/categories": {
            "parameters": [TENANT_PARAM],
            "get": op("List categories", (200, ref(CategoryList)), _READ),
            "post": _linked(
                op("Create a category", (201, ref(CategoryInfo)), _WRITE, body=ref(CategoryInput)),
                201,
                f"{base}/categories/{{category_id}}",
                "category",
                ("put", "delete"),
            ),
        },
        f"{base}/categories/{{category_id}}": {
            "parameters": _item("category"),
            "put": op("Rename or reorder a category", (200, ref(CategoryInfo)), _WRITE, body=ref(CategoryInput)),
            "delete": op("Delete a category (its products stay)", (204, None), _WRITE),
        },
        f"{base}/products": {
            "parameters": [TENANT_PARAM],
            "get": op(
                "List products",
                (200, ref(ProductList)),
                (404, 422),
                params=[
                    query_param("category_id", {"type": "integer", "minimum": 1}),
                    query_param("available", {"type": "boolean"}),
                    _Q,
                ],
            ),
            "post": _linked(
                op("Create a product", (201, ref(ProductInfo)), _WRITE, body=ref(ProductInput)),
                201,
                f"{base}/products/{{product_id}}",
                "product",
                ("get", "put", "delete"),
            ),
        },
        f"{base}/products/{{product_id}}": {
            "parameters": _item("product"),
            "get": op("Show a product", (200, ref(ProductInfo)), _READ),
            "put": op("Replace a product", (200, ref(ProductInfo)), _WRITE, body=ref(ProductInput)),
            "delete": op("Delete a product", (204, None), _WRITE),
        },
        f"{base}/products/{{product_id}}/availability": {
            "parameters": _item("product"),
            "put": op(
                "Mark a product sold out or back on sale (nothing else changes)",
                (200, ref(ProductInfo)),
                _WRITE,
                body=ref(ProductAvailability),
            ),
        },
        f"{base}/catalog/import": {
            "parameters": [TENANT_PARAM],
            "post": op(
                "Import a CSV or XLSX catalog: dry run (per-row report) or apply all-or-nothing",
                (200, ref(ImportReport)),
                _WRITE,
                params=[query_param("dry_run", {"type": "boolean"})],
                body={"type": "string", "format": "binary"},
                body_types=("text/csv", _XLSX),
            ),
        },
        f"{base}/catalog/import/template": {
            "parameters": [TENANT_PARAM],
            "get": _template_operation(),
        },
        f"{base}/customers": {
            "parameters": [TENANT_PARAM],
            "get": op(
                "List customers, newest first",
                (200, ref(CustomerPage)),
                (404, 422),
                params=[_Q, _LIMIT, _CURSOR],
            ),
            "post": _linked(
                op("Create a customer", (201, ref(CustomerInfo)), _WRITE, body=ref(CustomerInput)),
                201,
                f"{base}/customers/{{customer_id}}",
                "customer",
                ("get", "put", "delete"),
            ),
        },
        f"{base}/customers/{{customer_id}}": {
            "parameters": _item("customer"),
            "get": op("Show a customer", (200, ref(CustomerInfo)), _READ),
            "put": op("Replace a customer", (200, ref(CustomerInfo)), _WRITE, body=ref(CustomerInput)),
            "delete": op("Delete a customer without orders", (204, None), _WRITE),
        },
        f"{base}/orders": {
            "parameters": [TENANT_PARAM],
            "get": op(
                "List orders: filters, sort, cursor pages",
                (200, ref(OrderPage)),
                (404, 422),
                params=order_params,
            ),
            "post": _linked(
                op("Place an order", (201, ref(OrderDetail)), _WRITE, body=ref(OrderInput)),
                201,
                f"{base}/orders/{{order_id}}",
                "order",
                ("get", "patch"),
            ),
        },
        f"{base}/orders/{{order_id}}": {
            "parameters": _item("order"),
            "get": op("Show an order with its items and history (ETag)", (200, ref(OrderDetail)), _READ),
            "patch": op(
                "Edit an order while it is new",
                (200, ref(OrderDetail)),
                (*_WRITE, 412),
                body=ref(OrderEdit),
                params=[_IF_MATCH],
            ),
        },
        f"{base}/orders/{{order_id}}/status": {
            "parameters": _item("order"),
            "post": op(
                "Change the order's status",
                (200, ref(OrderDetail)),
                (*_WRITE, 412),
                body=ref(StatusRequest),
                params=[_IF_MATCH],
            ),
        },
    }
