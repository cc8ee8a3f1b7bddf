"""Writes the webhook fixtures in this folder: `python tests/data/webhooks/generate.py`.

The providers cannot be reached from our machines, so these payloads are built from the shapes
in their documentation (WHATSAPP.md) and signed the way each provider signs, with the test
credentials below. Each file holds the raw body exactly as sent (Meta escapes non-ASCII and "/")
and the headers, so tests post the bytes unchanged and the signatures hold.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from comandia.server.providers.signatures import meta_signature, twilio_signature

HERE = Path(__file__).parent
META_APP_SECRET = "fixture-app-secret"
PNID_1, PNID_2, PNID_360 = "106540352200001", "106540352200002", "106540352200003"
DISPLAY = {PNID_1: "15550001111", PNID_2: "15550002222", PNID_360: "15550004444"}
DIALOG_SECRET = "fixture-360-secret"
TWILIO_TO, TWILIO_TOKEN = "+15550003333", "fixture-auth-token"
TWILIO_ACCOUNT = "AC0123456789abcdef0123456789abcdef"
TWILIO_URL = "https://comandia.example/webhooks/twilio"
TS = "1750096325"


def meta_raw(document: dict[str, Any]) -> str:
    """JSON the way Meta writes it: ASCII only, "/" escaped."""
    return json.dumps(document, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def envelope(changes: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": DISPLAY.get(pnid, "15559999999"),
                                "phone_number_id": pnid,
                            },
                            **value,
                        },
                    }
                ],
            }
            for pnid, value in changes
        ],
    }


def message(
    wamid: str,
    kind: str,
    detail: dict[str, Any],
    sender: str = "5215512345678",
    name: str = "Ana",
    user_id: str | None = "MX.88123",
) -> dict[str, Any]:
    contact: dict[str, Any] = {"profile": {"name": name}, "wa_id": sender}
    if user_id:
        contact["user_id"] = user_id
    msg: dict[str, Any] = {"from": sender, "id": wamid, "timestamp": TS, "type": kind, kind: detail}
    return {"contacts": [contact], "messages": [msg]}


def write(provider: str, name: str, body: str, headers: dict[str, str], description: str) -> None:
    folder = HERE / provider
    folder.mkdir(exist_ok=True)
    document = {"description": description, "headers": headers, "body": body}
    (folder / f"{name}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")


def write_meta(name: str, document: dict[str, Any], description: str) -> None:
    raw = meta_raw(document)
    write(
        "meta",
        name,
        raw,
        {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(raw.encode(), META_APP_SECRET)},
        description,
    )


def main() -> None:
    w = "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFjNFQjA"
    write_meta(
        "messages__text",
        envelope([(PNID_1, message(w + "T1", "text", {"body": "hola, quiero 2 tacos"}))]),
        "one text message",
    )
    write_meta(
        "messages__button_reply",
        envelope(
            [
                (
                    PNID_1,
                    message(
                        w + "B1",
                        "interactive",
                        {"type": "button_reply", "button_reply": {"id": "confirm", "title": "Confirmar"}},
                    ),
                )
            ]
        ),
        "a reply button tapped",
    )
    write_meta(
        "messages__list_reply",
        envelope(
            [
                (
                    PNID_1,
                    message(
                        w + "L1",
                        "interactive",
                        {"type": "list_reply", "list_reply": {"id": "sku:TACO", "title": "Taco", "description": "$25"}},
                    ),
                )
            ]
        ),
        "a list row chosen",
    )
    write_meta(
        "messages__order",
        envelope(
            [
                (
                    PNID_1,
                    message(
                        w + "O1",
                        "order",
                        {
                            "catalog_id": "1537",
                            "text": "",
                            "product_items": [
                                {"product_retailer_id": "TACO", "quantity": 2, "item_price": 25.5, "currency": "MXN"},
                                {"product_retailer_id": "AGUA", "quantity": 1, "item_price": 18, "currency": "MXN"},
                            ],
                        },
                    ),
                )
            ]
        ),
        "a cart from the WhatsApp catalog",
    )
    write_meta(
        "messages__location",
        envelope(
            [
                (
                    PNID_1,
                    message(
                        w + "G1",
                        "location",
                        {"latitude": 19.4326, "longitude": -99.1332, "name": "Casa", "address": "Av. Reforma 1, CDMX"},
                    ),
                )
            ]
        ),
        "a shared location",
    )
    write_meta(
        "messages__non_ascii",
        envelope(
            [
                (
                    PNID_1,
                    message(
                        w + "N1", "text", {"body": "¿Tienen piñata? 🎉 https://example.com/menú"}, name="José Ñúñez"
                    ),
                )
            ]
        ),
        "non-ASCII text and a URL: Meta's escaped form is what is signed",
    )
    write_meta(
        "messages__username_only",
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": DISPLAY[PNID_1], "phone_number_id": PNID_1},
                                "contacts": [{"profile": {"name": "Luz"}, "user_id": "BR.1502576394655843"}],
                                "messages": [
                                    {
                                        "from_user_id": "BR.1502576394655843",
                                        "id": w + "U1",
                                        "timestamp": TS,
                                        "type": "text",
                                        "text": {"body": "oi"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        "a customer with a username and no phone number",
    )
    write_meta(
        "messages__unknown_type",
        envelope([(PNID_1, message(w + "X1", "reaction", {"message_id": w + "T1", "emoji": "👍"}))]),
        "a type we do not act on (kept as kind other)",
    )
    write_meta(
        "messages__unknown_number",
        envelope([("999999999999999", message(w + "Z1", "text", {"body": "?"}))]),
        "a phone_number_id no tenant owns",
    )
    batch = []
    for i in range(100):
        pnid = PNID_1 if i % 2 == 0 else PNID_2
        batch.append(
            (pnid, message(f"{w}M{i:03d}", "text", {"body": f"mensaje {i}"}, sender=f"52155{i:08d}", user_id=None))
        )
    document = envelope(batch[:1])
    document["entry"] = [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": DISPLAY[p], "phone_number_id": p},
                        **v,
                    },
                }
                for p, v in batch[i::10]
            ],
        }
        for i in range(10)
    ]
    write_meta("messages__batch_100_two_numbers", document, "100 messages for 2 numbers in 10 entries")
    statuses = [
        {"id": "wamid.OUT1", "status": s, "timestamp": str(int(TS) + n), "recipient_id": "5215512345678"}
        for n, s in ((3, "read"), (1, "sent"), (2, "delivered"))
    ]
    failed = {
        "id": "wamid.OUT2",
        "status": "failed",
        "timestamp": TS,
        "recipient_id": "5215512345678",
        "errors": [
            {
                "code": 131047,
                "title": "Re-engagement message",
                "error_data": {"details": "more than 24 hours have passed"},
            }
        ],
    }
    write_meta(
        "statuses__out_of_order",
        envelope([(PNID_1, {"statuses": statuses + [failed]})]),
        "read before sent before delivered, and a failure with code 131047",
    )
    raw = meta_raw(envelope([(PNID_360, message(w + "D1", "text", {"body": "hola desde 360"}))]))
    write(
        "360dialog",
        "messages__text",
        raw,
        {"Content-Type": "application/json", "X-Comandia-Secret": DIALOG_SECRET},
        "a text via 360dialog",
    )
    twilio_forms = {
        "messages__text": {"Body": "hola", "NumMedia": "0"},
        "messages__button": {"Body": "Confirmar", "ButtonText": "Confirmar", "ButtonPayload": "confirm"},
        "messages__location": {"Body": "", "Latitude": "19.4326", "Longitude": "-99.1332", "Address": "Reforma 1"},
        "statuses__delivered": {"MessageStatus": "delivered", "SmsStatus": "delivered"},
    }
    for i, (name, extra) in enumerate(twilio_forms.items()):
        form = {
            "SmsMessageSid": f"SM{i:032d}",
            "MessageSid": f"SM{i:032d}",
            "AccountSid": TWILIO_ACCOUNT,
            "From": "whatsapp:+5215512345678",
            "To": f"whatsapp:{TWILIO_TO}",
            "WaId": "5215512345678",
            "ProfileName": "Ana",
            "ApiVersion": "2010-04-01",
            **extra,
        }
        write(
            "twilio",
            name,
            urlencode(form),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": twilio_signature(TWILIO_URL, form, TWILIO_TOKEN),
            },
            f"Twilio {name}",
        )


if __name__ == "__main__":
    main()
