"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json (public)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import falcon

from comandia.server.http.openapi_admin import admin_paths
from comandia.server.http.openapi_backups import backup_paths
from comandia.server.http.openapi_conversations import conversation_paths
from comandia.server.http.openapi_kpis import kpi_paths
from comandia.server.http.openapi_numbers import number_paths
from comandia.server.http.openapi_sandbox import sandbox_paths
from comandia.server.http.openapi_schemas import PROBLEM, REF_TEMPLATE, ModelRef
from comandia.server.http.openapi_tenant import tenant_paths
from comandia.shared.schemas.wire import Wire, json_schemas
from comandia.shared.version import __version__


@functools.cache
def build_document() -> dict[str, Any]:
    """The whole document; built once (it depends on nothing at run time). Do not mutate it.

    Every request and response schema is generated from the payload type a path names with
    `ref(Model)`, and from each type it holds.
    """
    paths = (
        admin_paths()
        | tenant_paths()
        | kpi_paths()
        | number_paths()
        | sandbox_paths()
        | backup_paths()
        | conversation_paths()
    )
    schemas = {"Problem": PROBLEM, **json_schemas(sorted(_models(paths), key=lambda m: m.__name__), REF_TEMPLATE)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "COMANDIA API",
            # The server's release (shared/version.py): the console compares it with its own.
            "version": __version__,
            "description": "Errors are RFC 9457 application/problem+json documents.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _models(node: Any) -> set[type[Wire]]:
    """The payload types the paths refer to."""
    if isinstance(node, ModelRef):
        return {node.model}
    if isinstance(node, dict):
        return set().union(*(_models(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_models(value) for value in node))
    return set()


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
    return _query_parameters(lambda schema: True)


@functools.cache
def typed_query_parameters() -> dict[tuple[str, str], frozenset[str]]:
    """(path template, METHOD) -> the query parameters that are not free text (a number, a date, a
    flag, one of a list): an empty value there is a mistake, not "absent"."""
    return _query_parameters(lambda schema: not _free_text(schema))


def _query_parameters(keep: Callable[[dict[str, Any]], bool]) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], frozenset[str]] = {}
    for path, item in build_document()["paths"].items():
        shared = [p for p in item.get("parameters", []) if p["in"] == "query"]
        for method, operation in item.items():
            if method == "parameters":
                continue
            own = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            found[(path, method.upper())] = frozenset(p["name"] for p in shared + own if keep(p["schema"]))
    return found


def _free_text(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and not {"enum", "format", "pattern"} & schema.keys()
