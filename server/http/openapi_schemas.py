"""Building blocks of the OpenAPI 3.1 document: references to payload types and the operation helper.

The paths are written in Python next to the resources they describe; every request and response
schema is generated from its payload type in `comandia.shared.schemas` (`ref(Model)`), the type
the resource decodes the body into and the client reads the answer as. `tests/server/http` checks
live responses against the document and fuzzes the API with it (S2, S9).
"""

from __future__ import annotations

from typing import Any

from comandia.shared.schemas.tenants import TENANT_ID_PATTERN
from comandia.shared.schemas.wire import Wire

Schema = dict[str, Any]
REF_TEMPLATE = "#/components/schemas/{name}"

_PROBLEM_TITLES = {
    400: "Malformed request (bad JSON, missing body)",
    401: "Missing, expired or revoked token",
    403: "The role may not do this",
    404: "No such thing, or it belongs to another tenant",
    405: "Method not allowed",
    409: "Conflicts with the current state",
    412: "The If-Match version is stale",
    413: "Body over the size limit",
    415: "Unsupported content type",
    422: "Invalid input; `errors` names the fields",
    428: "If-Match is required",
    429: "Too many failed password checks (or too many waiting); see Retry-After",
    503: "A database is unreachable; retry",
}


class ModelRef(dict[str, Any]):
    """A ``$ref`` to the component generated from a payload type (`build_document` collects them)."""

    def __init__(self, model: type[Wire]) -> None:
        super().__init__({"$ref": REF_TEMPLATE.format(name=model.__name__)})
        self.model = model


def ref(model: type[Wire]) -> ModelRef:
    return ModelRef(model)


def problem_ref() -> Schema:
    return {"$ref": REF_TEMPLATE.format(name="Problem")}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict[str, Schema], required: tuple[str, ...] | None = None, closed: bool = True) -> Schema:
    """An object schema; every property is required unless `required` says otherwise."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


ID: Schema = {"type": "integer", "minimum": 1}

PROBLEM: Schema = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": obj({"field": {"type": "string"}, "problem": {"type": "string"}}),
        },
        "allowed": {"type": "array", "items": {"type": "string"}},
    },
}
"""RFC 9457 problem details (written by `problems.py`, not a payload type: it is never decoded)."""


def path_param(name: str, schema: Schema) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def query_param(name: str, schema: Schema, description: str = "") -> Schema:
    param: Schema = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


TENANT_PARAM = path_param("tenant_id", {"type": "string", "pattern": TENANT_ID_PATTERN})


def op(
    summary: str,
    ok: tuple[int, Schema | None],
    errors: tuple[int, ...] = (),
    body: Schema | None = None,
    params: list[Schema] | None = None,
    public: bool = False,
    body_types: tuple[str, ...] = ("application/json",),
    ok_type: str = "application/json",
) -> Schema:
    """One operation: its success answer plus the problem answers it can give.

    Every operation may answer 503 (a database down) and, unless public, 401; operations with a
    body add 400, 413, 415 and 422.
    """
    status, schema = ok
    success: Schema = {"description": summary}
    if schema is not None:
        success["content"] = {ok_type: {"schema": schema}}
    responses: dict[str, Schema] = {str(status): success}
    codes = set(errors) | {503}
    if not public:
        codes.add(401)
    if body is not None:
        codes |= {400, 413, 415, 422}
    for code in sorted(codes):
        responses[str(code)] = {
            "description": _PROBLEM_TITLES[code],
            "content": {"application/problem+json": {"schema": problem_ref()}},
        }
    operation: Schema = {"summary": summary, "responses": responses}
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {t: {"schema": body} for t in body_types}}
    operation["security"] = [] if public else [{"bearer": []}]
    return operation
