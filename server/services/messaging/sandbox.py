"""The sandbox chat: one turn of a tenant's real bot, for the console's "test the order flow" step.

The customer message goes through `ConversationService.handle` exactly as `comandia-admin chat`
sends it: the tenant's menu, its chat session table (under the ``sandbox`` number, so a real
WhatsApp conversation of the same phone is not disturbed) and real orders. Only the provider is
left out: the replies are answered to the caller instead of being queued for WhatsApp.

Sandbox chats are kept apart from the Conversations a manager works in: they are tests, nothing
of them reached a customer, and listing them would put test phones among the unread and waiting
chats (and their alerts). So they get no conversation row, no hand-off (`SandboxTurn.handoff` says
when WhatsApp would have handed over) and no takeover. Their orders are real and on the board, with
the channel "sandbox" ("Prueba" in the console): kept out of the KPIs, and no customer is told of
their status.
"""

from __future__ import annotations

import sqlalchemy as sa

from comandia.server.chat.model import CustomerRef, Inbound, Reply
from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import ChatSession, Order
from comandia.server.services.messaging.conversations import SANDBOX_NUMBER, ConversationService
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.phones import to_e164
from comandia.shared.i18n import N_
from comandia.shared.schemas.sandbox import (
    BotReply,
    ChatButton,
    ChatRow,
    ChatSection,
    PlacedOrder,
    SandboxMessage,
    SandboxTurn,
)


class SandboxChatService:
    """Runs sandbox turns.

    Args:
        databases: the appliance's databases.
        conversations: the bot (the same service the inbox worker uses).
        contexts: the tenant the bot speaks for.
    """

    def __init__(self, databases: Databases, conversations: ConversationService, contexts: TenantContexts) -> None:
        self._db = databases
        self._conversations = conversations
        self._contexts = contexts

    def turn(self, tenant_id: str, message: SandboxMessage) -> SandboxTurn:
        """Answer one customer message; the order it placed, if it placed one.

        Raises:
            NotFound: no such tenant.
            ValidationFailed: not a phone number, or neither / both of text and reply_id.
            Unavailable: the tenant's database cannot be reached.
        """
        if (message.text is None) == (message.reply_id is None):
            raise ValidationFailed(
                "send either text or reply_id", {"text": N_("give text or reply_id, not both or neither")}
            )
        phone = to_e164(message.phone)
        tenant = self._contexts.get(tenant_id)
        customer = CustomerRef(wa_id=phone.lstrip("+"), user_id=None, phone_e164=phone, profile_name=message.name)
        inbound = (
            Inbound(kind="text", text=message.text)
            if message.text is not None
            else Inbound(kind="button", reply_id=message.reply_id)
        )
        before = self._latest_order(tenant_id, customer.key)
        answer = self._conversations.answer(tenant, SANDBOX_NUMBER, customer, inbound)
        after = self._latest_order(tenant_id, customer.key)
        placed = after if after is not None and (before is None or after.id != before.id) else None
        return SandboxTurn(replies=tuple(_reply(r) for r in answer.replies), order=placed, handoff=answer.handoff)

    def _latest_order(self, tenant_id: str, key: str) -> PlacedOrder | None:
        """The newest order this sandbox conversation placed (its idempotency key starts with the session id)."""
        with self._db.tenant_session(tenant_id) as session:
            session_id = session.scalar(
                sa.select(ChatSession.id).where(
                    ChatSession.number_id == SANDBOX_NUMBER, ChatSession.customer_wa_id == key
                )
            )
            if session_id is None:
                return None
            found = session.execute(
                sa.select(Order.id, Order.number, Order.total)
                .where(Order.extra["chat_key"].astext.startswith(f"{session_id}:"))
                .order_by(Order.id.desc())
                .limit(1)
            ).first()
        return None if found is None else PlacedOrder(id=found.id, number=found.number, total=found.total)


def _reply(reply: Reply) -> BotReply:
    return BotReply(
        body=reply.body,
        buttons=tuple(ChatButton(i, t) for i, t in reply.buttons),
        list_button=reply.list_button,
        sections=tuple(
            ChatSection(title, tuple(ChatRow(i, t, d) for i, t, d in rows)) for title, rows in reply.list_sections
        ),
        text=reply.to_text(),
    )
