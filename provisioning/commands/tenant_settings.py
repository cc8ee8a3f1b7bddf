"""`tenant settings|pause|resume`: show or change a tenant's settings, pause and resume orders.

`--set KEY=VALUE` takes any settings key of the API (`comandia-admin tenant settings --help` lists
them); the value is JSON (``--set 'opening_hours={"mon": [["09:00", "22:00"]]}'``), or plain text
when it is not (``--set pickup_address=Av. Juárez 12``). A key named replaces its whole value, as a
`PATCH` does, and is checked by the same service, so a bad value is refused with its field named.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from comandia.provisioning.output import EXIT_OK, EXIT_USAGE, Output
from comandia.server.wiring import Runtime
from comandia.shared.i18n import N_
from comandia.shared.schemas.rules import RULE_KEYS
from comandia.shared.schemas.tenants import TenantSettings, TenantSettingsChange

if TYPE_CHECKING:
    Verbs = argparse._SubParsersAction[argparse.ArgumentParser]


def register_settings(verbs: Verbs) -> None:
    """Add `tenant settings`, `tenant pause` and `tenant resume` (called by commands/tenants.py)."""
    settings = verbs.add_parser(
        "settings",
        help="show or change the bot's language, delivery fee, texts and business rules",
        epilog="keys for --set: " + ", ".join(RULE_KEYS),
    )
    settings.add_argument("tenant_id")
    settings.add_argument("--locale", choices=["es", "en"], help="the bot's language")
    settings.add_argument("--delivery-fee", help="added to every WhatsApp order when there are no zones, e.g. 35.00")
    settings.add_argument(
        "--text",
        action="append",
        default=[],
        metavar="KEY=TEMPLATE",
        help="word a bot text your way, e.g. greeting='¡Hola! Esto es {business}.' (repeatable)",
    )
    settings.add_argument(
        "--reset-text", action="append", default=[], metavar="KEY", help="back to the built-in wording (repeatable)"
    )
    settings.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="rules",
        help="replace a settings key; VALUE is JSON or plain text (repeatable)",
    )
    settings.set_defaults(handler=run_settings)
    pause = verbs.add_parser("pause", help="stop taking orders now (the bot tells customers)")
    pause.add_argument("tenant_id")
    pause.add_argument("--message", help="what the bot says while paused (default: its own text)")
    pause.set_defaults(handler=run_pause)
    resume = verbs.add_parser("resume", help="take orders again")
    resume.add_argument("tenant_id")
    resume.set_defaults(handler=run_resume)


def run_settings(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    service = runtime.services.tenant_settings
    texts: dict[str, str | None] = {key: None for key in args.reset_text}
    for pair in args.text:
        key, sep, template = pair.partition("=")
        if not sep:
            out.error(out.say("--text needs KEY=TEMPLATE, got '{pair}'", pair=pair))
            return EXIT_USAGE
        texts[key.strip()] = template
    body: dict[str, Any] = {}
    for pair in args.rules:
        key, sep, value = pair.partition("=")
        if not sep:
            out.error(out.say("--set needs KEY=VALUE, got '{pair}'", pair=pair))
            return EXIT_USAGE
        body[key.strip()] = _value(value)
    if args.locale is not None:
        body["locale"] = args.locale
    if args.delivery_fee is not None:
        body["delivery_fee"] = args.delivery_fee
    if texts:
        body["texts"] = texts
    settings = (
        service.update(args.tenant_id, "comandia-admin", TenantSettingsChange.from_json(body))
        if body
        else service.get(args.tenant_id)
    )
    _show(out, settings)
    return EXIT_OK


def run_pause(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    change = (
        TenantSettingsChange(orders_paused=True)
        if args.message is None
        else TenantSettingsChange(orders_paused=True, paused_message=args.message)
    )
    _show(out, runtime.services.tenant_settings.update(args.tenant_id, "comandia-admin", change))
    return EXIT_OK


def run_resume(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    change = TenantSettingsChange(orders_paused=False)
    _show(out, runtime.services.tenant_settings.update(args.tenant_id, "comandia-admin", change))
    return EXIT_OK


def _value(text: str) -> Any:
    """JSON when it parses (numbers, true, null, lists, objects), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _show(out: Output, settings: TenantSettings) -> None:
    data = settings.to_json()
    rows = [["locale", settings.locale], ["delivery_fee", data["delivery_fee"]]]
    rows += [[f"text {key}", value] for key, value in sorted(settings.texts.items())]
    rows += [[key, json.dumps(data[key], ensure_ascii=False)] for key in RULE_KEYS]
    out.result(data, lambda: out.table([N_("SETTING"), N_("VALUE")], rows))
