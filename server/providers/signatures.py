"""Webhook authenticity, checked on the raw bytes before anything is parsed or stored.

- Meta: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body keyed with the app secret.
- Twilio: `X-Twilio-Signature`, base64 HMAC-SHA1 keyed with the auth token over the public URL
  followed by every POST parameter name and value, sorted by name.
- 360dialog (and the sandbox): a secret header we configured, compared as a whole.

Every comparison is constant-time (`hmac.compare_digest`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence


def meta_signature(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` header value Meta sends for `body`."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def matching_meta_secret(body: bytes, header: str | None, app_secrets: Iterable[str]) -> str | None:
    """The app secret that signed `body`, or None (missing, malformed or wrong signature).

    One callback URL serves every Meta app we know, so each candidate secret is tried; the caller
    then routes only to numbers configured with the secret that matched.
    """
    if not header or not header.startswith("sha256=") or len(header) != 71:
        return None
    given = header.encode("ascii", "replace")
    found = None
    for secret in app_secrets:
        # Keep comparing after a match so the timing does not reveal which secret matched.
        if hmac.compare_digest(meta_signature(body, secret).encode(), given) and found is None:
            found = secret
    return found


def twilio_signature(url: str, params: Sequence[tuple[str, str]] | Mapping[str, str], auth_token: str) -> str:
    """The `X-Twilio-Signature` header value for a POST of `params` to `url`."""
    pairs = sorted(params.items() if isinstance(params, Mapping) else params)
    data = url + "".join(name + value for name, value in pairs)
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    url: str, params: Sequence[tuple[str, str]] | Mapping[str, str], header: str | None, auth_token: str
) -> bool:
    if not header:
        return False
    return hmac.compare_digest(twilio_signature(url, params, auth_token).encode(), header.encode("ascii", "replace"))


def shared_secret_valid(given: str | None, expected: str | None) -> bool:
    """A configured secret header (360dialog, sandbox); no expected secret never validates."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
