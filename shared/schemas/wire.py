"""How every payload of the API is written down once: a msgspec Struct per request and response.

The server decodes request bodies into these types (`Request.from_json`), answers with them
(`to_json`), the OpenAPI document's schemas are generated from them (`json_schemas`), and the
client decodes its answers into the same types. A field added to a Struct is added everywhere.

On the wire, money is a string such as ``"12.50"`` (a request may also send an integer, never a
float: 0.1 + 0.2 is not a price); instants are ISO 8601 with an offset. Requests refuse unknown
fields (a typo in a field name must not be silently ignored); responses ignore them, so an older
client still reads a newer server. A value of the wrong type is refused with `ValidationFailed`
naming its path (``items[0].quantity``), and business rules (lengths of names, phone spellings,
money precision) stay with the services.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, TypeVar, cast

import msgspec

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_

T = TypeVar("T")
W = TypeVar("W", bound="Wire")

Instant = Annotated[dt.datetime, msgspec.Meta(tz=True)]
"""A date and time with its UTC offset."""


def documented(**schema: Any) -> msgspec.Meta:
    """A JSON Schema rule the document states but the decoder leaves to the services, for a field
    whose wrong values the services refuse their own way (an unknown tenant ID is a 404, not a 422),
    or of a response, which a client must read even when a newer server sends a new value."""
    return msgspec.Meta(extra_json_schema=schema)


class Amount(Decimal):
    """A money amount in a request: a string such as ``"12.50"`` or an integer; never a float or NaN."""

    __slots__ = ()


AMOUNT_SCHEMA: dict[str, Any] = {
    "type": ["string", "integer"],
    "description": 'an amount such as "12.50" (no floats)',
}


class Wire(msgspec.Struct, frozen=True):
    """A response payload (and the base of every payload)."""

    json_schema_extra: ClassVar[dict[str, Any] | None] = None
    """What JSON Schema says of the whole object that field types cannot (e.g. "one of these two")."""

    def to_json(self) -> dict[str, Any]:
        """The payload as JSON-ready builtins (money and instants as strings)."""
        return cast(dict[str, Any], msgspec.to_builtins(self, enc_hook=_encode))

    @classmethod
    def from_json(cls: type[W], data: Any) -> W:
        """The payload from parsed JSON. Raises: ValidationFailed naming the first wrong field."""
        return decode(data, cls)


class Request(Wire, frozen=True, forbid_unknown_fields=True):
    """A request payload: unknown fields are refused."""


def decode(data: Any, kind: type[T]) -> T:
    """`data` (parsed JSON) as `kind`. Raises: ValidationFailed naming the first wrong field."""
    try:
        return msgspec.convert(data, kind, dec_hook=_decode)
    except msgspec.ValidationError as error:
        raise _validation_failed(_with_keys(str(error), data, kind)) from None


def from_attributes(source: object, kind: type[W]) -> W:
    """A payload read from the same-named attributes of `source` (e.g. a database row); mutable
    values are copied. Raises: msgspec.ValidationError when an attribute is missing or mistyped."""
    return msgspec.convert(source, kind, from_attributes=True)


def narrowed(value: Wire, kind: type[W]) -> W:
    """`value` as its base payload type `kind` (the fields `kind` declares, none of a subclass's)."""
    return kind(**{name: getattr(value, name) for name in kind.__struct_fields__})


def encode(value: Any) -> bytes:
    """A payload (or a list or dict of them) as JSON bytes."""
    return _ENCODER.encode(value)


def json_schemas(kinds: Iterable[type[Wire]], ref_template: str) -> dict[str, dict[str, Any]]:
    """JSON Schemas (2020-12, as OpenAPI 3.1 reads them) of `kinds` and every payload they hold.

    Response objects are closed (``additionalProperties: false``) like requests: the server
    sends exactly their fields, and the API fuzzing checks it.
    """
    _, components = msgspec.json.schema_components(tuple(kinds), schema_hook=_schema, ref_template=ref_template)
    extras = {kind.__name__: kind.json_schema_extra for kind in _payload_types() if kind.json_schema_extra}
    for name, schema in components.items():
        if schema.get("type") == "object":
            schema.setdefault("additionalProperties", False)
        schema.update(extras.get(name, {}))
    return components


def _payload_types() -> list[type[Wire]]:
    found, todo = [], [Wire]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise NotImplementedError(f"{type(value).__name__} is not a wire type")


_ENCODER = msgspec.json.Encoder(enc_hook=_encode)


def _decode(kind: type, value: Any) -> Any:
    if kind is Amount:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError('must be a string such as "12.50"')
        try:
            amount = Amount(value)
        except InvalidOperation:
            raise ValueError('must be a number written as a string such as "12.50"') from None
        if not amount.is_finite():
            raise ValueError("must be a finite number")
        return amount
    raise NotImplementedError(f"{kind.__name__} is not a wire type")


def _schema(kind: type) -> dict[str, Any]:
    if kind is Amount:
        return dict(AMOUNT_SCHEMA)
    raise NotImplementedError(f"{kind.__name__} is not a wire type")


_AT = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_PROBLEMS = (  # msgspec's words -> the ones our clients (and message catalogs) know
    (re.compile(r"^Object missing required field `(?P<field>[^`]+)`$"), N_("is required")),
    (re.compile(r"^Object contains unknown field `(?P<field>[^`]+)`$"), N_("unknown field")),
    (re.compile(r"^Expected `str` of length <= (?P<n>\d+)$"), N_("must be at most {n} characters")),
    (re.compile(r"^Expected `str` of length >= (?P<n>\d+)$"), N_("must be at least {n} characters")),
    (re.compile(r"^Expected `(int|float)` >= (?P<n>-?\d+)(\.0)?$"), N_("must be at least {n}")),
    (re.compile(r"^Expected `(int|float)` <= (?P<n>-?\d+)(\.0)?$"), N_("must be at most {n}")),
    (
        re.compile(r"^Expected `datetime` with a timezone component$"),
        N_("must include a UTC offset, such as 2026-01-31T12:00:00+00:00"),
    ),
    (re.compile(r"^Invalid RFC3339 encoded datetime$"), N_("must be an ISO 8601 date and time")),
    (re.compile(r"^Expected `int`, got `.*`$"), N_("must be an integer")),
    (re.compile(r"^Expected `(str|datetime)`, got `.*`$"), N_("must be a string")),
    (re.compile(r"^Expected `bool`, got `.*`$"), N_("must be true or false")),
    (re.compile(r"^Expected `(int \| str|str \| int)`, got `.*`$"), N_("must be a string or a whole number")),
    (re.compile(r"^Expected `(object|dict)`, got `.*`$"), N_("must be an object")),
    (re.compile(r"^Expected `array`, got `.*`$"), N_("must be a list")),
    (re.compile(r"^Invalid enum value (?P<value>.*)$"), N_("is not one of the allowed values")),
    (
        re.compile(r"^Expected `str` matching regex '\^\(\(\[01\].*$"),
        N_("must be a time such as 09:30 (00:00 to 24:00)"),
    ),
    (re.compile(r"^Expected `str` matching regex .*$"), N_("is not written the expected way")),
    (re.compile(r"^Expected `(int|float)` > (?P<n>-?\d+)(\.0)?$"), N_("must be more than {n}")),
    (re.compile(r"^Expected `(array|object)` of length <= (?P<n>\d+)$"), N_("must have at most {n} items")),
    (re.compile(r"^Expected `array` of length (?P<n>\d+), got \d+$"), N_("must have {n} items")),
    (re.compile(r"^Invalid RFC3339 encoded date$"), N_("must be a date such as 2026-12-25")),
)


_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def _with_keys(message: str, data: Any, kind: type) -> str:
    """msgspec writes a map's key as ``[...]`` in an error's path: find the key and name it.

    Each entry of the map is tried alone; the first that fails again at the same place is it.
    """
    match = _AT.match(message)
    path = match["path"] if match else None
    if not path or "[...]" not in path:
        return message
    head = path[: path.index("[...]")]
    steps = [(m[1], m[2]) for m in _SEGMENT.finditer(head)]
    container: Any = data
    for key, index in steps:
        container = container[key] if key is not None else container[int(index)]
    if not isinstance(container, dict):
        return message
    for name, value in container.items():
        trial = _replaced(data, steps, {name: value})
        try:
            msgspec.convert(trial, kind, dec_hook=_decode)
        except msgspec.ValidationError as error:
            if "[...]" in str(error):
                return str(error).replace("[...]", f".{name}", 1)
    return message


def _replaced(data: Any, steps: list[tuple[str | None, str | None]], leaf: Any) -> Any:
    """A copy of `data` with the node at `steps` replaced by `leaf` (the rest shared, not copied)."""
    if not steps:
        return leaf
    (key, index), rest = steps[0], steps[1:]
    if key is not None:
        return {**data, key: _replaced(data[key], rest, leaf)}
    copy = list(data)
    copy[int(index or 0)] = _replaced(copy[int(index or 0)], rest, leaf)
    return copy


def _validation_failed(message: str) -> ValidationFailed:
    """msgspec's ``Expected `int`, got `str` - at `$.items[0].quantity``` as our field and problem."""
    match = _AT.match(message)
    problem = (match["problem"] if match else message).replace(" | null`", "`")  # null is allowed too
    path = (match["path"] or "") if match else ""
    for pattern, words in _PROBLEMS:
        found = pattern.match(problem)
        if found:
            groups = found.groupdict()
            if "field" in groups:
                path = f"{path}.{groups.pop('field')}"
            return ValidationFailed.of_field(path.lstrip(".") or "body", words, **groups)
    return ValidationFailed.of_field(path.lstrip(".") or "body", problem)
