"""Twilio's Programmable Messaging for WhatsApp senders (HTTP Basic, form-encoded; text, or a
Content template `HX…` with its variables after the 24-hour window)."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from comandia.server.providers import media
from comandia.server.providers.base import (
    NO_MESSAGE_ID,
    PROVIDER_ANSWERED,
    UNREACHABLE,
    UNREACHABLE_CHECK,
    Check,
    Endpoints,
    OutboundMessage,
    SendError,
    SendResult,
)
from comandia.server.providers.media import Downloaded, MediaLimits
from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.i18n import N_

AUTH_CODES = frozenset({20003, 20005, 20008})
ACCOUNT_CHECK = N_("account")
ACCOUNT_STATUS = N_("account “{name}” is {status}")
TRANSIENT_CODES = frozenset({20429, 20500, 20503, 63038})
WINDOW_CLOSED = 63016  # outside the 24-hour window: a template is needed, never retried


class TwilioProvider:
    """One WhatsApp sender of a Twilio account; buttons and lists go out as plain text."""

    name = ProviderName.TWILIO

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_e164: str,
        session: requests.Session,
        endpoints: Endpoints,
        status_callback: str | None = None,
    ) -> None:
        self._sid = account_sid
        self._auth = (account_sid, auth_token)
        self._from = from_e164
        self._session = session
        self._endpoints = endpoints
        self._callback = status_callback

    @property
    def _account_url(self) -> str:
        return f"{self._endpoints.twilio_base.rstrip('/')}/2010-04-01/Accounts/{self._sid}"

    def send(self, message: OutboundMessage) -> SendResult:
        to = message.to if message.to.startswith("+") else "+" + message.to
        form = {"From": f"whatsapp:{self._from}", "To": f"whatsapp:{to}"}
        if message.template is not None:
            form["ContentSid"] = message.template.name
            form["ContentVariables"] = json.dumps({str(i): p for i, p in enumerate(message.template.params, 1)})
        else:
            form["Body"] = (message.text or message.body)[:1600]
        if self._callback:
            form["StatusCallback"] = self._callback
        try:
            response = self._session.post(
                f"{self._account_url}/Messages.json",
                data=form,
                auth=self._auth,
                timeout=self._endpoints.timeout_seconds,
            )
        except requests.RequestException as error:
            raise SendError("transient", f"{UNREACHABLE}: {error.__class__.__name__}") from None
        if response.status_code >= 300:
            raise _classify(response)
        try:
            return SendResult(str(response.json()["sid"]))
        except (ValueError, KeyError, TypeError):
            raise SendError("permanent", NO_MESSAGE_ID) from None

    def fetch_media(self, ref: str, target: Path, limits: MediaLimits) -> Downloaded:
        """A `MediaUrl` with HTTP Basic (AccountSid:AuthToken); Twilio redirects to the file's
        storage, and `requests` drops the credentials when the host changes. Only URLs under this
        account on Twilio's API host are fetched: the webhook is signed, but its URL is not
        followed anywhere else with the account's credentials."""
        if not ref.startswith(f"{self._account_url}/"):
            raise media.MediaFetchError("permanent", media.REFUSED, "the MediaUrl is not under this Twilio account")
        return media.download(self._session, ref, target, limits, auth=self._auth)

    def check(self) -> tuple[Check, ...]:
        try:
            response = self._session.get(
                f"{self._account_url}.json", auth=self._auth, timeout=self._endpoints.timeout_seconds
            )
        except requests.RequestException as error:
            return (Check(ACCOUNT_CHECK, False, UNREACHABLE_CHECK, {"error": error.__class__.__name__}),)
        if response.status_code >= 300:
            return (Check(ACCOUNT_CHECK, False, PROVIDER_ANSWERED, {"answer": _classify(response).detail}),)
        data = response.json()
        status = data.get("status")
        found = {"name": data.get("friendly_name"), "status": status}
        return (Check(ACCOUNT_CHECK, status == "active", ACCOUNT_STATUS, found),)


def _classify(response: requests.Response) -> SendError:
    code: int | None = None
    detail = f"HTTP {response.status_code}"
    try:
        data = response.json()
        code = data.get("code") if isinstance(data.get("code"), int) else None
        detail = f"HTTP {response.status_code} code {code}: {str(data.get('message', ''))[:200]}"
    except (ValueError, AttributeError):
        pass
    if code in AUTH_CODES or response.status_code == 401:
        return SendError("auth", detail, code)
    if code in TRANSIENT_CODES or response.status_code >= 500 or response.status_code == 429:
        return SendError("transient", detail, code)
    return SendError("permanent", detail, code)
