"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json (public)."""

from __future__ import annotations

import functools
import json
from typing import Any

import falcon

from comandia.server.http.openapi_admin import ADMIN_COMPONENTS, admin_paths
from comandia.server.http.openapi_backups import BACKUP_COMPONENTS, backup_paths
from comandia.server.http.openapi_kpis import KPI_COMPONENTS, kpi_paths
from comandia.server.http.openapi_numbers import NUMBER_COMPONENTS, number_paths
from comandia.server.http.openapi_sandbox import SANDBOX_COMPONENTS, sandbox_paths
from comandia.server.http.openapi_schemas import COMPONENTS
from comandia.server.http.openapi_tenant import TENANT_COMPONENTS, tenant_paths

VERSION = "1.0.0"


@functools.cache
def build_document() -> dict[str, Any]:
    """The whole document; built once (it depends on nothing at run time). Do not mutate it."""
    paths = admin_paths() | tenant_paths() | kpi_paths() | number_paths() | sandbox_paths() | backup_paths()
    schemas = (
        COMPONENTS | ADMIN_COMPONENTS | TENANT_COMPONENTS | KPI_COMPONENTS | NUMBER_COMPONENTS | SANDBOX_COMPONENTS
        | BACKUP_COMPONENTS
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "COMANDIA API",
            "version": VERSION,
            "description": "Errors are RFC 9457 application/problem+json documents.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


class OpenApiDocument:
    public = True

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_JSON
        resp.text = _document_text()


@functools.cache
def _document_text() -> str:
    return json.dumps(build_document(), ensure_ascii=False)


@functools.cache
def query_parameters() -> dict[tuple[str, str], frozenset[str]]:
    """(path template, METHOD) -> the query parameters the document allows there."""
    allowed: dict[tuple[str, str], frozenset[str]] = {}
    for path, item in build_document()["paths"].items():
        shared = [p for p in item.get("parameters", []) if p["in"] == "query"]
        for method, operation in item.items():
            if method == "parameters":
                continue
            own = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            allowed[(path, method.upper())] = frozenset(p["name"] for p in shared + own)
    return allowed


@functools.cache
def typed_query_parameters() -> dict[tuple[str, str], frozenset[str]]:
    """(path template, METHOD) -> the query parameters that are not free text (a number, a date, a
    flag, one of a list): an empty value there is a mistake, not "absent"."""
    typed: dict[tuple[str, str], frozenset[str]] = {}
    for path, item in build_document()["paths"].items():
        shared = [p for p in item.get("parameters", []) if p["in"] == "query"]
        for method, operation in item.items():
            if method == "parameters":
                continue
            own = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            typed[(path, method.upper())] = frozenset(p["name"] for p in shared + own if not _free_text(p["schema"]))
    return typed


def _free_text(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and not {"enum", "format", "pattern"} & schema.keys()
