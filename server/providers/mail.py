"""An SMTP client for the business's new-order alerts: one message per call, a fresh connection each.

Real SMTP (the standard library's `smtplib`) against the appliance's configured server: STARTTLS
on 587, TLS from the start on 465 (`ssl`), or a plain relay (`none`); login when a user is set.
Knows no database. Failures come back as `MailError`, split the way the alert mailer needs:
`permanent` (the server refused the recipient or the message: a retry gets the same answer) or
transient (a connection that fails, times out or is told "try again later", 4xx).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from comandia.server.config import SmtpSettings
from comandia.shared.i18n import N_

TLS_MODES = ("starttls", "ssl", "none")
RECIPIENT_REFUSED = N_("recipient refused")
"""Before the server's answers; the words of ours in a failure, translated where it is read."""


class MailError(Exception):
    """Sending failed; `permanent` says a retry would fail the same way."""

    def __init__(self, detail: str, permanent: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent


class SmtpMailer:
    """Sends plain-text messages through `settings`' SMTP server.

    Raises (from `send`): MailError.
    """

    def __init__(self, settings: SmtpSettings) -> None:
        if settings.tls not in TLS_MODES:
            raise ValueError(f"smtp_tls must be one of {', '.join(TLS_MODES)}, not {settings.tls!r}")
        self._settings = settings

    @property
    def configured(self) -> bool:
        return bool(self._settings.host)

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one message to `to`. Raises: MailError (nothing configured counts as permanent)."""
        settings = self._settings
        if not settings.host:
            raise MailError(N_("no SMTP server is configured on this appliance (COMANDIA_SMTP_HOST)"), permanent=True)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.sender, to, subject
        message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="comandia")
        message.set_content(body)
        context = settings.tls_context or ssl.create_default_context()
        try:
            if settings.tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout, context=context
                )
            else:
                client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            with client:
                if settings.tls == "starttls":
                    client.starttls(context=context)
                if settings.user:
                    client.login(settings.user, settings.password or "")
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise MailError(_describe(error), permanent=all(code >= 500 for code in codes)) from None
        except smtplib.SMTPResponseException as error:
            raise MailError(_describe(error), permanent=error.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as error:  # refused, reset, timed out, TLS failed
            raise MailError(_describe(error), permanent=False) from None


def _describe(error: Exception) -> str:
    """The server's answer without the recipient's address (logs carry no personal data)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = {f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values()}
        return RECIPIENT_REFUSED + ": " + "; ".join(sorted(answers))
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"SMTP {error.smtp_code} {reply}"
    return f"{type(error).__name__}: {error}"
