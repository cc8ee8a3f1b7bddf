"""What a manager reads when WhatsApp did not take or deliver a message: what failed and what to do.

The provider's own words ("HTTP 400 code 131026: Message undeliverable") stay in the outbox's
`last_error` and the logs, for support; a person in the console reads a sentence from the
catalog, in their language, with the provider's code after it so support can still look it up.
The codes are Meta's Cloud API (360dialog speaks the same) and Twilio's.
"""

from __future__ import annotations

from comandia.shared.i18n import N_, gettext, reason_in, text

_WINDOW = N_(
    "More than 24 hours since the customer's last message: WhatsApp allows only an approved template. "
    "Set the hand-off template in the business rules, or wait until the customer writes again."
)
_UNREACHABLE_PHONE = N_(
    "WhatsApp could not deliver it to this phone: it may not have WhatsApp, or has not "
    "accepted WhatsApp's latest terms. Check the number with the customer."
)
_TOO_FAST = N_("Too many messages to this customer in a short time: wait a minute and send it again.")
_LIMIT = N_(
    "The number reached WhatsApp's sending limit: the messages wait and go out by themselves; "
    "if it lasts, ask Meta or the provider for a higher limit."
)
_CREDENTIALS = N_(
    "The provider refused the number's credentials: replace them in the number's settings "
    "(comandia-admin number update) and resume the number."
)
_BLOCKED = N_("Meta has blocked or restricted this WhatsApp account: check its status in Meta's WhatsApp Manager.")
_PAYMENT = N_("The WhatsApp account has a payment problem: check its payment method in Meta's business settings.")
_TEST_NUMBER = N_(
    "This is a test number, which may only write to the phones on its list: add this phone in "
    "Meta's developer dashboard, or connect the business's real number."
)
_TEMPLATE = N_(
    "The template does not exist in this language, or its fields do not match: check its name "
    "and language in the business rules and in Meta's WhatsApp Manager."
)
_TEMPLATE_PAUSED = N_("Meta paused or disabled the template for its quality: choose another one in the business rules.")
_OPTED_OUT = N_("The customer asked not to receive messages (STOP): they get none until they write again.")
_UNSUPPORTED = N_("WhatsApp does not accept this kind of message for this phone: send it as plain text.")
_OTHER = N_("WhatsApp did not take the message. Try again later; if it keeps failing, give support this code.")
_WITH_CODE = N_("{advice} (WhatsApp code {code})")
_WITH_ANSWER = N_("{advice} ({answer})")

ADVICE: dict[int, str] = {
    131047: _WINDOW,
    63016: _WINDOW,
    131026: _UNREACHABLE_PHONE,
    63003: _UNREACHABLE_PHONE,
    21211: _UNREACHABLE_PHONE,
    131056: _TOO_FAST,
    130429: _LIMIT,
    80007: _LIMIT,
    20429: _LIMIT,
    63018: _LIMIT,
    0: _CREDENTIALS,
    10: _CREDENTIALS,
    190: _CREDENTIALS,
    20003: _CREDENTIALS,
    368: _BLOCKED,
    131031: _BLOCKED,
    131042: _PAYMENT,
    131030: _TEST_NUMBER,
    132000: _TEMPLATE,
    132001: _TEMPLATE,
    132012: _TEMPLATE,
    63027: _TEMPLATE,
    132015: _TEMPLATE_PAUSED,
    132016: _TEMPLATE_PAUSED,
    21610: _OPTED_OUT,
    131051: _UNSUPPORTED,
}
"""The provider's error code -> what to tell the manager (a catalog text)."""

_PROVIDER_ANSWER = "HTTP "
"""How a provider's own answer starts in `last_error` (`providers/meta.py`, `providers/twilio.py`)."""


def send_failure_text(language: str, code: int | None, stored: str | None) -> str:
    """The sentence a manager reads about a message that failed, in `language`.

    Args:
        code: the provider's error code (`OutboxMessage.error_code`), None when it gave none.
        stored: the outbox's `last_error`: ours (a catalog text, translated as it is) or the
            provider's answer ("HTTP 400 code 131026: ...", replaced by advice with the code kept).
    """
    if code is not None:
        advice = gettext(language, ADVICE.get(code, _OTHER))
        return text(language, _WITH_CODE, advice=advice, code=code)
    if stored and stored.startswith(_PROVIDER_ANSWER):
        status = stored.split(" code ")[0].split(":")[0]  # "HTTP 502": the rest is the provider's English
        return text(language, _WITH_ANSWER, advice=gettext(language, _OTHER), answer=status)
    return reason_in(language, stored) or gettext(language, _OTHER)
