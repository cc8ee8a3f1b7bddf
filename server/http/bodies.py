"""Request bodies and query strings, parsed once at the edge into typed values (STYLE rule 7).

A body is decoded into its payload type from `comandia.shared.schemas` (the same type the OpenAPI
document and the client use); anything that breaks the contract is refused with `ValidationFailed`
naming the field, so resources and services never see raw dicts of unknown shape.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import falcon

from comandia.server.http.problems import language_of
from comandia.shared.domain.errors import NotFound, ValidationFailed
from comandia.shared.i18n import N_, text
from comandia.shared.schemas.wire import Request

R = TypeVar("R", bound=Request)


def read_body(req: falcon.Request, kind: type[R]) -> R:
    """The request's JSON body as the payload type `kind`, the one way every body is read.

    Raises:
        falcon.HTTPBadRequest: malformed JSON or no body.
        ValidationFailed: text PostgreSQL cannot store or an integer out of range anywhere in
            the document; nesting deeper than `MAX_DEPTH`; an `extra` deeper than
            `EXTRA_MAX_DEPTH` or larger than `EXTRA_MAX_BYTES`; not an object; an unknown field; a
            field of the wrong type (named).
    """
    try:
        data = req.get_media()
    except RecursionError:
        # The JSON decoder gives up near Python's recursion limit; a body that deep is hostile.
        raise _too_deep("body", MAX_DEPTH) from None
    except falcon.MediaNotFoundError:
        raise falcon.HTTPBadRequest(title=N_("Invalid JSON"), description=N_("the request has no body")) from None
    except falcon.MediaMalformedError as error:  # falcon's words are English: ours, with the decoder's reason
        reason = str(error.__cause__ or "")[:200]
        raise falcon.HTTPBadRequest(
            title=N_("Invalid JSON"),
            description=text(language_of(req), "the body is not valid JSON ({reason})", reason=reason),
        ) from None
    _check_tree(data, "", 0)
    if isinstance(data, dict) and "extra" in data:
        _check_extra(data["extra"])
    return kind.from_json(data)


_INT_LIMIT = 2**31 - 1  # the widest integer column a request can reach is a PostgreSQL integer

MAX_DEPTH = 32
"""No request body of the API nests deeper; the bound keeps every later walk of it cheap."""
EXTRA_MAX_DEPTH = 16
EXTRA_MAX_BYTES = 16 * 1024
"""`extra` (free-form JSON kept with customers, products and orders) is stored, listed and
exported on every read: bounded here, at the edge, so one hostile value cannot make every later
list of the tenant slow or impossible to answer."""


def _check_extra(extra: Any) -> None:
    if _depth(extra) > EXTRA_MAX_DEPTH:
        raise _too_deep("extra", EXTRA_MAX_DEPTH)
    size = len(json.dumps(extra, ensure_ascii=False, separators=(",", ":")).encode())
    if size > EXTRA_MAX_BYTES:
        raise ValidationFailed(
            "extra is too large ({size} bytes)",
            {"extra": N_("must be at most {limit} bytes as JSON")},
            size=size,
            limit=EXTRA_MAX_BYTES,
        )


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _too_deep(name: str, limit: int) -> ValidationFailed:
    return ValidationFailed(
        "{name} is nested too deeply", {name: N_("must nest at most {limit} levels")}, name=name, limit=limit
    )


def _check_tree(value: Any, path: str, depth: int) -> None:
    """Refuse, anywhere in a JSON document, text PostgreSQL cannot store, integers out of range
    and nesting deeper than `MAX_DEPTH`."""
    if depth > MAX_DEPTH:
        raise _too_deep(path.split(".")[0].split("[")[0] or "body", MAX_DEPTH)
    if isinstance(value, str):
        _check_storable(path or "body", value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > _INT_LIMIT:
            raise ValidationFailed(
                "{field} is out of range", {path or "body": N_("number out of range")}, field=path or "body"
            )
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValidationFailed(
                "{field} must be finite", {path or "body": N_("must be finite")}, field=path or "body"
            )
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_tree(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_storable(path or "body", key)
            _check_tree(item, f"{path}.{key}" if path else key, depth + 1)


def _check_text(name: str, value: Any, max_len: int, min_len: int) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("{field} must be a string", {name: N_("must be a string")}, field=name)
    _check_storable(name, value)
    if len(value) > max_len:
        raise ValidationFailed(
            "{field} is too long", {name: N_("must be at most {n} characters")}, field=name, n=max_len
        )
    if len(value) < min_len:
        raise ValidationFailed(
            "{field} is too short", {name: N_("must be at least {n} characters")}, field=name, n=min_len
        )
    return value


def _check_storable(name: str, value: str) -> None:
    """PostgreSQL refuses NUL in text and UTF-8 cannot carry lone surrogates: refuse both here."""
    if "\x00" in value:
        raise ValidationFailed("{field} must not contain NUL characters", {name: N_("contains NUL")}, field=name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationFailed("{field} is not valid Unicode text", {name: N_("invalid text")}, field=name) from None


def query_text(req: falcon.Request, name: str, max_len: int = 200) -> str | None:
    """An optional text query parameter, refused when too long or not storable."""
    value = req.get_param(name)
    if value is None:
        return None
    return _check_text(name, value, max_len, 0)


_MISSING = {  # one sentence per noun, so that each language can write it its own way
    "backup": N_("backup {id} does not exist"),
    "category": N_("category {id} does not exist"),
    "customer": N_("customer {id} does not exist"),
    "number": N_("number {id} does not exist"),
    "order": N_("order {id} does not exist"),
    "product": N_("product {id} does not exist"),
    "user": N_("user {id} does not exist"),
}


def path_id(value: str, what: str) -> int:
    """A numeric ID from the URL; anything else names nothing, so it is 404 like a missing ID."""
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise NotFound(_MISSING.get(what, N_("{what} {id} does not exist")), what=what, id=value[:40])
    return int(value)


def query_int(req: falcon.Request, name: str, minimum: int = 1, maximum: int = _INT_LIMIT) -> int | None:
    """An optional whole-number query parameter within [minimum, maximum]."""
    value = req.get_param(name)
    if value is None:
        return None
    text = value.strip()
    if not text.lstrip("-").isdigit() or not text.isascii() or len(text) > 12:
        raise ValidationFailed("{field} must be a whole number", {name: N_("must be a whole number")}, field=name)
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValidationFailed(
            "{field} is out of range",
            {name: N_("must be between {minimum} and {maximum}")},
            field=name,
            minimum=minimum,
            maximum=maximum,
        )
    return number


def query_flag(req: falcon.Request, name: str, default: bool = False) -> bool:
    """A `true`/`false` query parameter."""
    value = req.get_param(name)
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise ValidationFailed("{field} must be true or false", {name: N_("must be true or false")}, field=name)
