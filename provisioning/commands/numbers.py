"""`number add|list|test|pause|resume|template|remove`: a tenant's WhatsApp numbers.

Secrets never go on the command line (it ends up in shell history and `ps`): they come from
COMANDIA_NUMBER_ACCESS_TOKEN, _APP_SECRET, _API_KEY and _AUTH_TOKEN (read by `server.config`),
or are prompted for.
"""

from __future__ import annotations

import argparse
import getpass

from comandia.provisioning.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Output
from comandia.server.services.messaging.pauses import readable
from comandia.server.wiring import Runtime
from comandia.shared.domain.whatsapp import NumberState, ProviderName
from comandia.shared.i18n import N_
from comandia.shared.i18n import text as translated
from comandia.shared.schemas.numbers import NewNumber, NumberInfo

ACTOR = "comandia-admin"
_SECRETS = {  # what each provider needs
    ProviderName.META: ("access_token", "app_secret"),
    ProviderName.DIALOG360: ("api_key",),
    ProviderName.TWILIO: ("auth_token",),
    ProviderName.SANDBOX: (),
}
_SECRET_PROMPTS = {  # what the operator is asked to type for each
    "access_token": N_("access token: "),
    "app_secret": N_("app secret: "),
    "api_key": N_("API key: "),
    "auth_token": N_("auth token: "),
}
_STATES: dict[str, str] = {NumberState.ACTIVE: N_("active"), NumberState.PAUSED: N_("paused")}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    number = commands.add_parser("number", help="WhatsApp numbers of tenants")
    verbs = number.add_subparsers(dest="verb", required=True, metavar="VERB")
    add = verbs.add_parser("add", help="register a number (secrets from COMANDIA_NUMBER_* or a prompt)")
    add.add_argument("tenant")
    add.add_argument("--provider", required=True, choices=sorted(_SECRETS))
    add.add_argument("--number", required=True, help="the number in E.164, e.g. +5215512345678")
    add.add_argument("--phone-number-id", help="Meta / 360dialog phone number id")
    add.add_argument("--waba-id", help="Meta WhatsApp Business Account id (checked by `number test`)")
    add.add_argument("--account-sid", help="Twilio account SID")
    _template_arguments(add)
    add.set_defaults(handler=run_add)
    listing = verbs.add_parser("list", help="list numbers, of every tenant or one")
    listing.add_argument("tenant", nargs="?")
    listing.set_defaults(handler=run_list)
    for verb, handler, text in (
        ("test", run_test, "call the provider's API with the stored credentials"),
        ("pause", run_pause, "stop replying from a number"),
        ("resume", run_resume, "reply from a paused number again"),
    ):
        parser = verbs.add_parser(verb, help=text)
        parser.add_argument("id", type=int)
        parser.set_defaults(handler=handler)
    template = verbs.add_parser("template", help="set the status template used after the 24-hour window")
    template.add_argument("id", type=int)
    _template_arguments(template)
    template.add_argument("--clear", action="store_true", help="remove the template")
    template.set_defaults(handler=run_template)
    remove = verbs.add_parser("remove", help="forget a number (its webhooks become unroutable)")
    remove.add_argument("id", type=int)
    remove.add_argument("--yes", action="store_true", help="confirm")
    remove.set_defaults(handler=run_remove)


def _template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--status-template",
        help="approved template for status notices after the 24-hour "
        "window: its name (Meta, 360dialog) or Content SID (Twilio); {{1}} order, {{2}} status",
    )
    parser.add_argument(
        "--template-language", help="the template's language code, e.g. es_MX (default: the tenant's language)"
    )


def run_add(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    secrets: dict[str, str] = {}
    for field in _SECRETS[args.provider]:
        secrets[field] = runtime.config.number_secrets.get(field) or getpass.getpass(out.say(_SECRET_PROMPTS[field]))
    request = NewNumber(
        provider=args.provider,
        e164=args.number,
        phone_number_id=args.phone_number_id,
        waba_id=args.waba_id,
        account_sid=args.account_sid,
        status_template=args.status_template,
        template_language=args.template_language,
        **secrets,
    )
    number = runtime.services.numbers.add(args.tenant, request, actor=ACTOR)
    lines = [
        out.say(
            "added {provider} number {e164} as #{id} for tenant {tenant}",
            provider=number.provider,
            e164=number.e164,
            id=number.id,
            tenant=number.tenant_id,
        ),
        out.say("webhook path: {path}", path=number.webhook_path),
    ]
    if number.verify_token:
        lines.append(out.say("verify token (Meta app dashboard): {token}", token=number.verify_token))
    if number.webhook_secret:
        lines.append(
            out.say("webhook secret header X-Comandia-Secret (shown once): {secret}", secret=number.webhook_secret)
        )
    out.result(number.to_json(), "\n".join(lines))
    return EXIT_OK


def run_list(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    numbers = runtime.services.numbers.list(args.tenant)
    out.result(
        [n.to_json() for n in numbers],
        lambda: out.table(
            [N_("ID"), N_("TENANT"), N_("PROVIDER"), N_("NUMBER"), N_("STATE"), N_("LAST WEBHOOK")],
            [
                [n.id, n.tenant_id, n.provider, n.e164, _state(n, out.language), n.last_inbound_at or out.say("never")]
                for n in numbers
            ],
        ),
    )
    return EXIT_OK


def run_test(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    result = runtime.services.numbers.test(None, args.id, out.language)
    marks = {True: out.say("ok"), False: out.say("FAILED")}
    out.result(result.to_json(), "\n".join(f"{marks[c.ok]} {c.name}: {c.detail}" for c in result.checks))
    return EXIT_OK if result.ok else EXIT_FAILED


def run_pause(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    number = runtime.services.numbers.pause(None, args.id, actor=ACTOR)
    out.result(number.to_json(), out.say("paused number #{id} ({e164})", id=number.id, e164=number.e164))
    return EXIT_OK


def run_resume(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    number = runtime.services.numbers.resume(None, args.id, actor=ACTOR)
    out.result(number.to_json(), out.say("resumed number #{id} ({e164})", id=number.id, e164=number.e164))
    return EXIT_OK


def run_template(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    if args.clear == bool(args.status_template):
        out.error(out.say("give --status-template NAME, or --clear to remove the template"))
        return EXIT_USAGE
    number = runtime.services.numbers.set_template(
        None, args.id, args.status_template, args.template_language, actor=ACTOR
    )
    text = (
        out.say(
            "number #{id} sends status notices after the 24-hour window as template {template} ({language})",
            id=number.id,
            template=number.status_template,
            language=number.template_language or out.say("tenant language"),
        )
        if number.status_template
        else out.say("number #{id} has no status template: late notices are recorded as failed", id=number.id)
    )
    out.result(number.to_json(), text)
    return EXIT_OK


def run_remove(runtime: Runtime, args: argparse.Namespace, out: Output) -> int:
    service = runtime.services.numbers
    number = service.get(None, args.id)
    if not args.yes:
        out.error(
            out.say(
                "this removes number #{id} ({e164}) of tenant {tenant_id}; its webhooks will be "
                "unroutable and its queued messages fail. Add --yes to confirm",
                id=number.id,
                e164=number.e164,
                tenant_id=number.tenant_id,
            )
        )
        return EXIT_USAGE
    service.remove(None, args.id, actor=ACTOR)
    out.result({"removed": number.id}, out.say("removed number #{id} ({e164})", id=number.id, e164=number.e164))
    return EXIT_OK


def _state(number: NumberInfo, language: str) -> str:
    """The state, and why it is paused in the reader's language (ours are catalog texts; an
    operator's own words are shown as typed)."""
    reason = readable(number, language).pause_reason
    state = translated(language, _STATES.get(number.state, number.state))
    return state if not reason else f"{state} ({reason[:80]})"
