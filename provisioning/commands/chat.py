"""`chat TENANT [--script FILE] [--as PHONE]`: talk to a tenant's bot from the terminal.

The messages go through the real `ConversationService` (the tenant's menu, the chat session
table, real orders with channel "sandbox", kept out of the KPIs), only WhatsApp is left out: this is how an operator
tries a new tenant before going live. Replies print as the plain-text fallback that providers
without buttons get, so answering "2" picks the second choice. A test chat is not listed in the
console's Conversations (as the console's test chat and the sandbox API): when the bot would hand
it to a person, a note says so and the bot goes on answering.

A script has one customer message per line; blank lines and lines starting with ``#`` are
skipped. Three commands stand for what a phone sends besides text:

    /tap ID                      a tapped button or list row (``/tap confirm``)
    /location LAT,LON [ADDRESS]  a location pin
    /order SKU:QTY [SKU:QTY...]  a cart from the WhatsApp catalog
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from comandia.provisioning.output import EXIT_FAILED, EXIT_OK, Output
from comandia.server.chat.model import CustomerRef, Inbound, Reply
from comandia.server.services.messaging.conversations import SANDBOX_NUMBER
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.phones import to_e164

DEFAULT_PHONE = "+5215550000000"
QUIT = ("/quit", "/exit", "/salir")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chat = commands.add_parser("chat", help="chat with a tenant's bot as a customer (no WhatsApp)")
    chat.add_argument("tenant_id")
    chat.add_argument("--script", type=Path, help="one customer message per line ('-' for stdin)")
    chat.add_argument("--as", dest="phone", default=DEFAULT_PHONE, help="the customer's phone (E.164)")
    chat.add_argument("--name", help="the customer's WhatsApp profile name")
    chat.set_defaults(handler=run_chat)


def run_chat(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    try:
        phone = to_e164(args.phone)
    except ValidationFailed as error:
        out.error(f"--as: {error.localized(out.language)}")
        return EXIT_FAILED
    tenant = runtime.services.contexts.get(args.tenant_id)
    service = runtime.services.conversations
    customer = CustomerRef(wa_id=phone.lstrip("+"), user_id=None, phone_e164=phone, profile_name=args.name)
    interactive = args.script is None and sys.stdin.isatty() and not out.as_json
    turns: list[dict[str, Any]] = []
    for line in _lines(args.script, interactive):
        message = parse_line(line)
        if message is None:
            out.error(out.say("cannot read '{line}': see `comandia-admin chat --help`", line=line))
            return EXIT_FAILED
        answer = service.answer(tenant, SANDBOX_NUMBER, customer, message)
        turns.append({"message": line, "replies": [reply_json(r) for r in answer.replies], "handoff": answer.handoff})
        if not out.as_json:
            if not interactive:
                print(f"> {line}", file=out.stdout)
            for reply in answer.replies:
                print(_indent(reply.to_text()) + "\n", file=out.stdout)
            if answer.handoff:  # test chats are not in Conversations: say what WhatsApp would do
                note = out.say(
                    "on WhatsApp this chat would now wait for a person in Conversations; test chats "
                    "are not listed there, so the bot goes on answering here"
                )
                print(_indent(f"({note})") + "\n", file=out.stdout)
    if out.as_json:
        out.result(turns, "")
    return EXIT_OK


def parse_line(line: str) -> Inbound | None:
    """A script line as the message a phone would send; None when a /command is malformed."""
    verb, _, rest = line.partition(" ")
    if verb == "/tap":
        return Inbound(kind="button", reply_id=rest.strip()) if rest.strip() else None
    if verb == "/location":
        where, _, address = rest.strip().partition(" ")
        lat, _, lon = where.partition(",")
        try:
            return Inbound(kind="location", latitude=float(lat), longitude=float(lon), location_address=address or None)
        except ValueError:
            return None
    if verb == "/order":
        items: list[tuple[str, int]] = []
        for part in rest.split():
            sku, _, quantity = part.rpartition(":")
            if not sku or not quantity.isdigit():
                return None
            items.append((sku, int(quantity)))
        return Inbound(kind="order", order_items=tuple(items)) if items else None
    return Inbound(kind="text", text=line)


def reply_json(reply: Reply) -> dict[str, Any]:
    return {
        "body": reply.body,
        "buttons": [{"id": i, "title": t} for i, t in reply.buttons],
        "list_button": reply.list_button,
        "sections": [
            {"title": title, "rows": [{"id": i, "title": t, "description": d} for i, t, d in rows]}
            for title, rows in reply.list_sections
        ],
        "text": reply.to_text(),
    }


def _lines(script: Path | None, interactive: bool) -> Iterator[str]:
    if interactive:
        print("Escribe como cliente; /quit para salir. Type as a customer; /quit to leave.")
        while True:
            try:
                line = input("tú> ").strip()
            except EOFError:
                return
            if line in QUIT:
                return
            if line:
                yield line
        return
    source: Iterable[str] = sys.stdin
    if script is not None and str(script) != "-":
        source = script.read_text(encoding="utf-8").splitlines()
    for raw in source:
        line = raw.strip()
        if line and not line.startswith("#"):
            if line in QUIT:
                return
            yield line


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.splitlines())
