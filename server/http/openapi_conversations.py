"""OpenAPI paths of conversations (list, transcript, reply, takeover, release) and the changes feed."""

from __future__ import annotations

from comandia.server.http.openapi_schemas import TENANT_PARAM, Schema, op, path_param, query_param, ref
from comandia.shared.schemas.conversations import (
    CONVERSATION_ID_PATTERN,
    ChangePage,
    ConversationDetail,
    ConversationPage,
    ConversationSummary,
    HumanMessage,
    TranscriptMessage,
)

_ITEM = [TENANT_PARAM, path_param("conversation", {"type": "string", "pattern": CONVERSATION_ID_PATTERN})]


def conversation_paths() -> dict[str, Schema]:
    base = "/api/v1/tenants/{tenant_id}"
    return {
        f"{base}/conversations": {
            "parameters": [TENANT_PARAM],
            "get": op(
                "List WhatsApp conversations, newest message first (keyset pages)",
                (200, ref(ConversationPage)),
                (404, 422),
                params=[
                    query_param("state", {"enum": ["bot", "waiting", "human"]}, "only chats in this state"),
                    query_param(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                        "page size; above 200 is clamped to 200",
                    ),
                    query_param("cursor", {"type": "string", "maxLength": 500}),
                ],
            ),
        },
        f"{base}/conversations/{{conversation}}": {
            "parameters": _ITEM,
            "get": op(
                "Show a conversation: transcript, ticks, the customer's orders (changes nothing)",
                (200, ref(ConversationDetail)),
                (404,),
            ),
        },
        f"{base}/conversations/{{conversation}}/read": {
            "parameters": _ITEM,
            "post": op(
                "Mark the conversation read (the console calls it when the chat is shown)",
                (200, ref(ConversationSummary)),
                (404,),
            ),
        },
        f"{base}/conversations/{{conversation}}/media/{{media_id}}": {
            "parameters": [*_ITEM, path_param("media_id", {"type": "string", "pattern": CONVERSATION_ID_PATTERN})],
            "get": op(
                "Download a file the customer sent (managers; 409 while not downloaded, failed or expired)",
                (200, {"type": "string", "format": "binary"}),
                (403, 404, 409),
                ok_type="application/octet-stream",
            ),
        },
        f"{base}/conversations/{{conversation}}/messages": {
            "parameters": _ITEM,
            "post": op(
                "Send a person's reply (takes the chat over); outside the 24-hour window as the "
                "hand-off template, 409 when the tenant has none",
                (201, ref(TranscriptMessage)),
                (403, 404, 409),
                body=ref(HumanMessage),
            ),
        },
        f"{base}/conversations/{{conversation}}/takeover": {
            "parameters": _ITEM,
            "post": op(
                "Take the chat over: the bot stays silent until release or the idle time",
                (200, ref(ConversationSummary)),
                (403, 404),
            ),
        },
        f"{base}/conversations/{{conversation}}/release": {
            "parameters": _ITEM,
            "post": op("Give the chat back to the bot", (200, ref(ConversationSummary)), (403, 404)),
        },
        f"{base}/changes": {
            "parameters": [TENANT_PARAM],
            "get": op(
                "Changes after a cursor (new orders, status changes, chats); empty when nothing changed",
                (200, ref(ChangePage)),
                (404, 422),
                params=[
                    query_param(
                        "since",
                        {"type": "integer", "minimum": 0, "maximum": 10**12},
                        "the cursor of the last answer; left out: the current cursor only",
                    )
                ],
            ),
        },
    }
