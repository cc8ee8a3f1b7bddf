"""One parser per webhook format: raw body -> `ParsedEvents`, or `PayloadError` naming the field.

The Cloud API format (Meta and 360dialog) is walked completely: every `entry[] × changes[] ×
messages[] / statuses[] / errors[]`, never only `[0]`. Unknown change fields are skipped; unknown
message types become kind "other" (stored, never an error). Twilio posts one form per event.

One bad message never costs the others of its POST: a message or status that breaks the format
or carries what PostgreSQL cannot store (NUL, lone surrogates), an over-long id or sender, or
nesting past `MAX_DEPTH` becomes a `RejectedEvent` (quarantined by the ingest, with its reason).
Only an envelope that cannot be read or routed at all is a `PayloadError` for the whole POST.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from comandia.server.providers.base import InboundMessage, ParsedEvents, PayloadError, RejectedEvent, StatusUpdate
from comandia.shared.domain.messages import CustomerRef, Inbound, MediaRef

log = logging.getLogger(__name__)

_MEDIA = ("image", "audio", "video", "document", "sticker")
MAX_TWILIO_MEDIA = 10
MAX_DEPTH = 32
"""Deeper than any real message (a Cloud API message nests about 5 levels)."""
MAX_TEXT = 65_536
"""Characters in any one string (a WhatsApp text is at most 4,096)."""
MAX_ID = 128
"""Characters in a message id, `from` or `from_user_id` (wa_ids are phone digits, BSUIDs ~30)."""
EXCERPT = 2_000
"""Characters of a quarantined event kept for an operator, escaped to ASCII."""
_TWILIO_STATUSES = {
    "queued": "queued",
    "sending": "queued",
    "accepted": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
}


def parse_cloud_api(body: bytes) -> ParsedEvents:
    """Parse a Meta / 360dialog webhook body.

    Raises:
        PayloadError: not JSON, or a required field (ids, metadata) missing or of the wrong type.
    """
    document, storable = _decoded(body)
    root = _obj(document, "$")
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    rejected: list[RejectedEvent] = []
    for e, entry in enumerate(_list(root.get("entry", []), "entry")):
        entry = _obj(entry, f"entry[{e}]")
        for c, change in enumerate(_list(entry.get("changes", []), f"entry[{e}].changes")):
            path = f"entry[{e}].changes[{c}]"
            change = _obj(change, path)
            if change.get("field") != "messages":
                continue  # a field we did not subscribe to: ignore it
            value = _obj(change.get("value"), f"{path}.value")
            metadata = _obj(value.get("metadata"), f"{path}.value.metadata")
            route = _text(metadata, "phone_number_id", f"{path}.value.metadata")
            contacts = [
                _obj(x, f"{path}.value.contacts[{i}]")
                for i, x in enumerate(_list(value.get("contacts", []), f"{path}.value.contacts"))
            ]
            for m, raw in enumerate(_list(value.get("messages", []), f"{path}.value.messages")):
                where = f"{path}.value.messages[{m}]"
                try:
                    message = _message(_obj(raw, where), route, contacts, where)
                    if not storable:
                        check_storable(message.raw, where)
                    messages.append(message)
                except PayloadError as error:
                    rejected.append(rejected_event(raw, route, error))
            for s, raw in enumerate(_list(value.get("statuses", []), f"{path}.value.statuses")):
                where = f"{path}.value.statuses[{s}]"
                try:
                    if not storable:
                        check_storable(raw, where)
                    statuses.append(_status(_obj(raw, where), route, where))
                except PayloadError as error:
                    rejected.append(rejected_event(raw, route, error))
            for reported in _list(value.get("errors", []), f"{path}.value.errors"):
                log.warning(
                    "provider reported an error for number %s: code %s",
                    route,
                    reported.get("code") if isinstance(reported, dict) else "?",
                )
    return ParsedEvents(tuple(messages), tuple(statuses), tuple(rejected))


def _decoded(body: bytes) -> tuple[Any, bool]:
    """The body's JSON, and whether it provably holds nothing `check_storable` refuses.

    msgspec first: it decodes in a quarter of `json`'s time and refuses what could be
    unstorable (invalid UTF-8, lone surrogates raw or escaped, UTF-16 bodies). What it refuses
    goes to `json`, as before, whose lenient result is then checked event by event. A body that
    msgspec reads, with no escaped NUL (the only way JSON spells one), no more opening brackets
    than `MAX_DEPTH` and no more bytes than `MAX_TEXT` characters, has no string, key or nesting
    the check would refuse, so the walk over every field of every event is skipped.

    Raises:
        PayloadError: not JSON, or nested too deeply.
    """
    try:
        document = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        pass
    else:
        return document, (
            len(body) <= MAX_TEXT and b"\\u0000" not in body and body.count(b"{") + body.count(b"[") <= MAX_DEPTH
        )
    try:
        return json.loads(body), False
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PayloadError("$", "not JSON ({kind})", kind=error.__class__.__name__) from None
    except RecursionError:
        # json gives up near Python's recursion limit (~1,000 levels): a body that deep is hostile.
        raise PayloadError("$", "nested too deeply") from None


def check_storable(value: Any, path: str, depth: int = 0) -> None:
    """Refuse what PostgreSQL cannot store or what no real event carries, anywhere in `value`.

    Raises:
        PayloadError: a NUL or a lone surrogate in a key or a string, a string over `MAX_TEXT`
            characters, or nesting deeper than `MAX_DEPTH` (checked before descending further).
    """
    if depth > MAX_DEPTH:
        raise PayloadError(path, "nested deeper than {limit} levels", limit=MAX_DEPTH)
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise PayloadError(path, "longer than {limit} characters", limit=MAX_TEXT)
        if "\x00" in value:
            raise PayloadError(path, "contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PayloadError(path, "is not valid Unicode (a lone surrogate)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key, path, depth + 1)
            check_storable(item, f"{path}.{key}"[:200], depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_storable(item, f"{path}[{index}]"[:200], depth + 1)


def rejected_event(raw: Any, route: str, error: PayloadError) -> RejectedEvent:
    """What is kept of an event that cannot be stored: its reason and an escaped, bounded excerpt."""
    fields: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return RejectedEvent(
        routing_key=route,
        provider_message_id=_usable_id(fields.get("id") or fields.get("MessageSid")),
        customer_key=_usable_id(fields.get("from") or fields.get("WaId")),
        reason=str(error)[:500],
        excerpt=excerpt(raw),
    )


def excerpt(raw: Any) -> str:
    """`raw` as ASCII-escaped JSON, cut to `EXCERPT` characters (NULs and surrogates become escapes)."""
    try:
        text = json.dumps(raw, ensure_ascii=True, default=repr)
    except (RecursionError, ValueError):
        return "(nested too deeply to show)"
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def _usable_id(value: Any) -> str | None:
    """`value` when it can key a row (a short, storable string), else None."""
    if not isinstance(value, str) or not value or len(value) > MAX_ID:
        return None
    try:
        check_storable(value, "id")
    except PayloadError:
        return None
    return value


def _message(raw: dict[str, Any], route: str, contacts: list[dict[str, Any]], path: str) -> InboundMessage:
    wamid = _text(raw, "id", path)
    wa_id = _opt_id(raw, "from", path)
    user_id = _opt_id(raw, "from_user_id", path)
    contact = next(
        (c for c in contacts if (wa_id and c.get("wa_id") == wa_id) or (user_id and c.get("user_id") == user_id)),
        contacts[0] if len(contacts) == 1 else {},
    )
    user_id = user_id or _opt_text(contact, "user_id", path)
    if not wa_id and not user_id:
        bad_field = f"{path}.from"
        raise PayloadError(bad_field, "neither `from` nor `from_user_id` is present")
    found_profile = contact.get("profile")
    profile: dict[str, Any] = found_profile if isinstance(found_profile, dict) else {}
    kind_name = raw.get("type")
    fields: dict[str, Any] = {"kind": "other"}
    found = raw.get(kind_name) if isinstance(kind_name, str) else None
    detail: dict[str, Any] = found if isinstance(found, dict) else {}
    if kind_name == "text":
        fields = {"kind": "text", "text": _opt_text(detail, "body", f"{path}.text")}
    elif kind_name == "interactive":
        fields = _interactive(detail, f"{path}.interactive")
    elif kind_name == "button":
        fields = {
            "kind": "button",
            "reply_id": _opt_text(detail, "payload", f"{path}.button"),
            "text": _opt_text(detail, "text", f"{path}.button"),
        }
    elif kind_name == "order":
        fields = {
            "kind": "order",
            "text": _opt_text(detail, "text", f"{path}.order"),
            "order_items": _order_items(detail, f"{path}.order"),
        }
    elif kind_name == "location":
        fields = {
            "kind": "location",
            "latitude": _float(detail, "latitude", f"{path}.location"),
            "longitude": _float(detail, "longitude", f"{path}.location"),
            "location_name": _opt_text(detail, "name", f"{path}.location"),
            "location_address": _opt_text(detail, "address", f"{path}.location"),
        }
    elif kind_name in _MEDIA:
        where = path + "." + kind_name
        fields = {
            "kind": "media",
            "text": _opt_text(detail, "caption", where),
            "media": (
                MediaRef(
                    kind_name,
                    _text(detail, "id", where),
                    _opt_text(detail, "mime_type", where),
                    _opt_text(detail, "filename", where),
                ),
            ),
        }
    return _received(
        wamid,
        route,
        wa_id,
        user_id,
        _opt_text(profile, "name", f"{path}.profile"),
        fields,
        sent_at=_timestamp(raw, path),
        raw={"message": raw, "contact": contact},
    )


def _interactive(detail: dict[str, Any], path: str) -> dict[str, Any]:
    kind = detail.get("type")
    if kind in ("button_reply", "list_reply"):
        reply = _obj(detail.get(kind), f"{path}.{kind}")
        return {
            "kind": "button" if kind == "button_reply" else "list",
            "reply_id": _text(reply, "id", f"{path}.{kind}"),
            "text": _opt_text(reply, "title", f"{path}.{kind}"),
        }
    return {"kind": "other"}


def _order_items(detail: dict[str, Any], path: str) -> tuple[tuple[str, int], ...]:
    items = []
    for i, raw in enumerate(_list(detail.get("product_items", []), f"{path}.product_items")):
        item = _obj(raw, f"{path}.product_items[{i}]")
        quantity = item.get("quantity")
        if isinstance(quantity, str) and quantity.isdigit():
            quantity = int(quantity)
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            bad_field = f"{path}.product_items[{i}].quantity"
            raise PayloadError(bad_field, "must be an integer")
        items.append((_text(item, "product_retailer_id", f"{path}.product_items[{i}]"), quantity))
    return tuple(items)


def _status(raw: dict[str, Any], route: str, path: str) -> StatusUpdate:
    errors = raw.get("errors")
    code = None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = errors[0].get("code") if isinstance(errors[0].get("code"), int) else None
    at = _timestamp(raw, path) or dt.datetime.now(dt.UTC)
    return StatusUpdate(
        wamid=_text(raw, "id", path), status=_text(raw, "status", path)[:16], at=at, routing_key=route, error_code=code
    )


def parse_twilio_form(form: Mapping[str, str]) -> ParsedEvents:
    """Parse one Twilio WhatsApp webhook (an inbound message or a status callback).

    Raises:
        PayloadError: MessageSid, To or From missing.
    """
    sid = _text(dict(form), "MessageSid", "form")
    route = _text(dict(form), "To", "form").removeprefix("whatsapp:")
    try:
        check_storable(dict(form), "form")
        return _twilio_event(form, sid, route)
    except PayloadError as error:
        return ParsedEvents(rejected=(rejected_event(dict(form), route, error),))


def _twilio_event(form: Mapping[str, str], sid: str, route: str) -> ParsedEvents:
    status = form.get("MessageStatus")
    if status and status != "received":
        code = form.get("ErrorCode")
        return ParsedEvents(
            statuses=(
                StatusUpdate(
                    wamid=sid,
                    status=_TWILIO_STATUSES.get(status, status)[:16],
                    at=dt.datetime.now(dt.UTC),
                    routing_key=route,
                    error_code=int(code) if code and code.isdigit() else None,
                ),
            )
        )
    sender = _text(dict(form), "From", "form").removeprefix("whatsapp:")
    wa_id = _opt_id(dict(form), "WaId", "form") or sender.lstrip("+")
    fields: dict[str, Any] = {"kind": "text", "text": form.get("Body")}
    if form.get("ButtonPayload"):
        fields = {"kind": "button", "reply_id": form["ButtonPayload"], "text": form.get("ButtonText")}
    elif form.get("ListId"):
        fields = {"kind": "list", "reply_id": form["ListId"], "text": form.get("ListTitle")}
    elif form.get("Latitude") and form.get("Longitude"):
        fields = {
            "kind": "location",
            "latitude": _number(form["Latitude"], "Latitude"),
            "longitude": _number(form["Longitude"], "Longitude"),
            "location_address": form.get("Address"),
            "location_name": form.get("Label"),
        }
    elif (form.get("NumMedia") or "0") not in ("", "0"):
        fields = {"kind": "media", "text": form.get("Body") or None, "media": _twilio_media(form)}
    return ParsedEvents(
        messages=(
            _received(sid, route, wa_id, None, form.get("ProfileName"), fields, sent_at=None, raw={"form": dict(form)}),
        )
    )


def _twilio_media(form: Mapping[str, str]) -> tuple[MediaRef, ...]:
    """`MediaUrl0..` with their `MediaContentType0..` (WhatsApp sends at most 10 per message)."""
    found = []
    for i in range(MAX_TWILIO_MEDIA):
        url = form.get(f"MediaUrl{i}")
        if not url:
            break
        mime = form.get(f"MediaContentType{i}") or None
        kind = (mime or "").partition("/")[0]
        found.append(MediaRef(kind if kind in ("image", "audio", "video") else "document", url, mime))
    return tuple(found)


def _received(
    message_id: str,
    route: str,
    wa_id: str | None,
    user_id: str | None,
    name: str | None,
    fields: dict[str, Any],
    sent_at: dt.datetime | None,
    raw: dict[str, Any],
) -> InboundMessage:
    """The message as the bot reads it; a phone-based wa_id is also the customer's E.164 number."""
    customer = CustomerRef(
        wa_id=wa_id, user_id=user_id, profile_name=name, phone_e164=f"+{wa_id}" if wa_id and wa_id.isdigit() else None
    )
    content = Inbound(**{**fields, "text": fields.get("text") or ""})
    return InboundMessage(message_id, route, customer, content, sent_at, raw)


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(path, "must be an object")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise PayloadError(path, "must be an array")
    return value


def _text(data: dict[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > MAX_ID and key != "body":
        bad_field = f"{path}.{key}"
        raise PayloadError(bad_field, "must be a non-empty string")
    return value


def _opt_id(data: dict[str, Any], key: str, path: str) -> str | None:
    value = _opt_text(data, key, path)
    if value is not None and len(value) > MAX_ID:
        bad_field = f"{path}.{key}"
        raise PayloadError(bad_field, "longer than {limit} characters", limit=MAX_ID)
    return value


def _opt_text(data: dict[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        bad_field = f"{path}.{key}"
        raise PayloadError(bad_field, "must be a string")
    return value or None


def _float(data: dict[str, Any], key: str, path: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        bad_field = f"{path}.{key}"
        raise PayloadError(bad_field, "must be a number")
    return _number(str(value), f"{path}.{key}")


def _number(text: str, path: str) -> float:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PayloadError(path, "must be a number") from None
    if not value.is_finite():
        raise PayloadError(path, "must be a finite number")
    return float(value)


def _timestamp(data: dict[str, Any], path: str) -> dt.datetime | None:
    value = data.get("timestamp")
    if value is None:
        return None
    if not isinstance(value, str | int) or not str(value).isdigit():
        bad_field = f"{path}.timestamp"
        raise PayloadError(bad_field, "must be Unix seconds")
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (OverflowError, ValueError, OSError):
        bad_field = f"{path}.timestamp"
        raise PayloadError(bad_field, "out of range") from None
