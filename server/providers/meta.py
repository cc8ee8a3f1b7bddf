"""Meta's WhatsApp Cloud API: send one message, check a number's setup; the Cloud API body builder.

Retry policy by code (WHATSAPP.md): transient codes and HTTP 5xx/429 are retried with backoff;
131056 (pair rate limit) waits longer; window, template and bad-request codes are permanent;
token, permission and account-lock codes are `auth` (stop the number, tell the tenant).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

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
    Template,
)
from comandia.server.providers.media import Downloaded, MediaLimits
from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.i18n import N_

TRANSIENT_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131057, 131056})
AUTH_CODES = frozenset({0, 10, 190, 368, 131031} | set(range(200, 300)))
PAIR_RATE_LIMIT = 131056
NUMBER_CHECK, SUBSCRIBED_CHECK = N_("number"), N_("webhooks subscribed")
NUMBER_FOUND = N_("{number}, verified name {name}")
NO_WABA = N_("no WABA id configured; cannot check subscribed_apps")
NOT_SUBSCRIBED = N_("the WABA is not subscribed to any app: {call}")
APPS_SUBSCRIBED = N_("apps subscribed: {count}")
# Interactive limits; a message over them is rejected whole by Meta, so we enforce them first.
MAX_TEXT, MAX_INTERACTIVE_BODY, MAX_BUTTONS, MAX_BUTTON_TITLE = 4096, 1024, 3, 20
MAX_ROWS, MAX_SECTIONS, MAX_ROW_TITLE, MAX_ROW_DESCRIPTION, MAX_LIST_BUTTON = 10, 10, 24, 72, 20


def cloud_api_body(message: OutboundMessage) -> dict[str, Any]:
    """The Cloud API JSON for `message`: reply buttons, a list, or text when limits do not fit."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": message.to}
    rows = sum(len(r) for _, r in message.list_sections)
    if message.template is not None:
        body["type"] = "template"
        body["template"] = template_body(message.template)
    elif message.buttons and len(message.buttons) <= MAX_BUTTONS:
        body["type"] = "interactive"
        body["interactive"] = {
            "type": "button",
            "body": {"text": message.body[:MAX_INTERACTIVE_BODY]},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": i[:256], "title": t[:MAX_BUTTON_TITLE]}}
                    for i, t in message.buttons
                ]
            },
        }
    elif message.list_sections and rows <= MAX_ROWS and len(message.list_sections) <= MAX_SECTIONS:
        body["type"] = "interactive"
        body["interactive"] = {
            "type": "list",
            "body": {"text": message.body[:MAX_INTERACTIVE_BODY]},
            "action": {
                "button": (message.list_button or "Ver")[:MAX_LIST_BUTTON],
                "sections": [
                    {
                        "title": title[:24],
                        "rows": [
                            {"id": i[:200], "title": t[:MAX_ROW_TITLE], "description": d[:MAX_ROW_DESCRIPTION]}
                            for i, t, d in rows
                        ],
                    }
                    for title, rows in message.list_sections
                ],
            },
        }
    else:
        body["type"] = "text"
        body["text"] = {"body": (message.text or message.body)[:MAX_TEXT], "preview_url": False}
    return body


def template_body(template: Template) -> dict[str, Any]:
    """The Cloud API `template` object: name, language and the body variables as text parameters."""
    data: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.params:
        data["components"] = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in template.params]}]
    return data


def classify_cloud_error(response: requests.Response) -> SendError:
    """Turn a Cloud API (or 360dialog) error answer into a classified SendError."""
    code: int | None = None
    detail = f"HTTP {response.status_code}"
    try:
        error = response.json().get("error", {})
        code = error.get("code") if isinstance(error.get("code"), int) else None
        detail = f"HTTP {response.status_code} code {code}: {str(error.get('message', ''))[:200]}"
    except (ValueError, AttributeError):
        pass
    retry_after = _retry_after(response)
    if code in AUTH_CODES or (code is None and response.status_code in (401, 403)):
        return SendError("auth", detail, code)
    if code == PAIR_RATE_LIMIT:
        return SendError("transient", detail, code, retry_after=max(retry_after or 0, 6.0))
    if code == 1:
        return SendError("transient", detail, code, retry_after, max_attempts=2)
    if code in TRANSIENT_CODES or response.status_code >= 500 or response.status_code == 429:
        return SendError("transient", detail, code, retry_after)
    return SendError("permanent", detail, code)


def post_json(
    session: requests.Session, url: str, body: dict[str, Any], headers: dict[str, str], timeout: float
) -> SendResult:
    """POST a Cloud API message and return its wamid. Raises: SendError."""
    try:
        response = session.post(url, json=body, headers=headers, timeout=timeout)
    except requests.RequestException as error:
        # A connection failure or timeout: retried (WHATSAPP.md lists timeouts as transient).
        raise SendError("transient", f"{UNREACHABLE}: {error.__class__.__name__}") from None
    if response.status_code >= 300:
        raise classify_cloud_error(response)
    try:
        return SendResult(str(response.json()["messages"][0]["id"]))
    except (ValueError, KeyError, IndexError, TypeError):
        raise SendError("permanent", NO_MESSAGE_ID) from None


class MetaProvider:
    """One number on Meta's Cloud API (Bearer token of a system user)."""

    name = ProviderName.META

    def __init__(
        self,
        phone_number_id: str,
        waba_id: str | None,
        access_token: str,
        session: requests.Session,
        endpoints: Endpoints,
    ) -> None:
        self._number = phone_number_id
        self._waba = waba_id
        self._token = access_token
        self._session = session
        self._endpoints = endpoints

    @property
    def _base(self) -> str:
        return f"{self._endpoints.meta_base.rstrip('/')}/{self._endpoints.meta_version}"

    def send(self, message: OutboundMessage) -> SendResult:
        return post_json(
            self._session,
            f"{self._base}/{self._number}/messages",
            cloud_api_body(message),
            {"Authorization": f"Bearer {self._token}"},
            self._endpoints.timeout_seconds,
        )

    def fetch_media(self, ref: str, target: Path, limits: MediaLimits) -> Downloaded:
        """`GET /{media-id}` gives a URL valid about 5 minutes, fetched with the same bearer token."""
        headers = {"Authorization": f"Bearer {self._token}"}
        found = media.lookup(self._session, f"{self._base}/{quote(ref, safe='')}", headers, limits)
        return media.download(self._session, found["url"], target, limits, headers=headers)

    def check(self) -> tuple[Check, ...]:
        number = self._get(
            NUMBER_CHECK,
            f"{self._base}/{self._number}",
            {"fields": "display_phone_number,verified_name"},
        )
        if not self._waba:
            return number, Check(SUBSCRIBED_CHECK, False, NO_WABA)
        return number, self._get(SUBSCRIBED_CHECK, f"{self._base}/{self._waba}/subscribed_apps", None)

    def _get(self, label: str, url: str, params: dict[str, str] | None) -> Check:
        try:
            response = self._session.get(
                url,
                params=params,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self._endpoints.timeout_seconds,
            )
        except requests.RequestException as error:
            return Check(label, False, UNREACHABLE_CHECK, {"error": error.__class__.__name__})
        if response.status_code >= 300:
            return Check(label, False, PROVIDER_ANSWERED, {"answer": classify_cloud_error(response).detail})
        data = response.json() if response.content else {}
        if label == SUBSCRIBED_CHECK:
            apps = data.get("data") if isinstance(data, dict) else None
            if not apps:
                return Check(label, False, NOT_SUBSCRIBED, {"call": "POST /{WABA_ID}/subscribed_apps"})
            return Check(label, True, APPS_SUBSCRIBED, {"count": len(apps)})
        found = {"number": data.get("display_phone_number"), "name": data.get("verified_name")}
        return Check(label, True, NUMBER_FOUND, found)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None
