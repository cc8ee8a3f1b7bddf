"""Why a WhatsApp number is paused: stored as a catalog text (or a person's own words), read as a
code for programs and a sentence in the reader's language.

`whatsapp_numbers.pause_reason` holds one of the texts below, the provider's refusal as
``<CREDENTIALS_REFUSED>: code <the provider's code>``, or what a manager or operator typed when
pausing it. The API shows `pause_code` (stable), `provider_code` and `pause_reason` in the
caller's language (`readable`), as its problem details do; comandia-admin the same.
"""

from __future__ import annotations

import re

import msgspec

from comandia.shared.i18n import N_, gettext, text
from comandia.shared.schemas.numbers import NumberInfo

CREDENTIALS_REFUSED = N_("the provider refused the number's credentials; replace them and resume the number")
"""Stored as ``<this>: code <provider's code>`` (`credentials_refused`)."""
CREDENTIALS_REFUSED_CODE = N_(
    "the provider refused the number's credentials (code {code}); replace them and resume the number"
)
PAUSED_BY_OPERATOR = N_("paused by an operator")
PAUSED_BY_MANAGER = N_("paused by a manager")
_PROVIDER_CODE = re.compile(r": code (\d+)$")


def credentials_refused(code: int | None) -> str:
    """What is stored when the provider refuses the number's credentials with `code`."""
    return f"{CREDENTIALS_REFUSED}: code {code}"


def pause_code(stored: str | None) -> tuple[str | None, int | None]:
    """(code, provider's code) of a stored pause reason: ``credentials_refused``, ``operator``,
    ``manager`` (our texts or a person's words); (None, None) when the number is not paused."""
    if not stored:
        return None, None
    if stored.startswith(CREDENTIALS_REFUSED):
        found = _PROVIDER_CODE.search(stored)
        return "credentials_refused", int(found[1]) if found else None
    return ("operator" if stored == PAUSED_BY_OPERATOR else "manager"), None


def readable(info: NumberInfo, language: str) -> NumberInfo:
    """`info` with its pause reason in `language`: ours from the catalog (the provider's code
    kept), a person's own words as typed."""
    if not info.pause_reason:
        return info
    if info.pause_code == "credentials_refused":
        reason = text(
            language, CREDENTIALS_REFUSED_CODE, code=info.provider_code if info.provider_code is not None else "?"
        )
    else:
        reason = gettext(language, info.pause_reason)
    return msgspec.structs.replace(info, pause_reason=reason)
