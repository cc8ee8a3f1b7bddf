"""WhatsApp's 24-hour window (WHATSAPP.md rule 6) and the approved templates that replace free
text outside it: the one place that says when a free-form message may go out, for a person's
reply (`chats.py`), a status notice (`notifications.py`) and an order alert (`alerts.py`).
"""

from __future__ import annotations

import datetime as dt

from comandia.server.chat.model import TenantContext
from comandia.server.providers.base import Template

FREE_FORM_WINDOW = dt.timedelta(hours=24)
SEND_MARGIN = dt.timedelta(minutes=10)
"""A message queued this close to the window's end may reach the provider after it: use the template."""
DEFAULT_TEMPLATE_LANGUAGES = {"es": "es", "en": "en"}
TEMPLATE_PARAMETER = 1000
"""Characters of a text sent as a template variable (Meta refuses new lines and long runs of
spaces in one, so the text is sent on one line)."""


def window_open(last_inbound: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether free text queued `now` still reaches someone who last wrote at `last_inbound`."""
    return last_inbound is not None and now < last_inbound + FREE_FORM_WINDOW - SEND_MARGIN


def template_language(tenant: TenantContext, chosen: str | None) -> str:
    """The template's language: the one set for it, else the tenant's bot language."""
    return chosen or DEFAULT_TEMPLATE_LANGUAGES.get(tenant.locale, tenant.locale)


def handoff_template(tenant: TenantContext, text: str) -> Template | None:
    """The tenant's hand-off template (business rules `handoff_template`,
    `handoff_template_language`) carrying `text` on one line as its one variable; None when the
    tenant has none."""
    rules = tenant.rules
    if not rules.handoff_template:
        return None
    return Template(
        rules.handoff_template,
        template_language(tenant, rules.handoff_template_language),
        (" ".join(text.split())[:TEMPLATE_PARAMETER],),
    )
