"""HTTP plumbing of the API client: one `requests.Session`, the token, errors turned into types."""

from __future__ import annotations

from typing import Any

import requests

from comandia.shared.client.errors import ServerUnreachable, error_for

DEFAULT_TIMEOUT = 15.0


class Transport:
    """Sends requests to `base_url` with the bearer token, and raises typed errors.

    Args:
        base_url: e.g. ``http://127.0.0.1:8080`` (no trailing /api/v1).
        token: a bearer token, or None before logging in.
        session: a `requests.Session` to reuse (injected by tests); a new one otherwise.
        timeout: seconds to wait for each answer.
        language: sent as `Accept-Language`, the language of the server's error texts (``es``
            or ``en``); None leaves it to the server (Spanish).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        language: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.language = language
        self.token = token
        self.session = session or requests.Session()
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> requests.Response:
        """Send one request and return the 2xx response.

        Raises:
            ServerUnreachable: no answer (connection error or timeout).
            ApiError: (a subclass by status) the server answered with an error.
        """
        all_headers = {"Accept": "application/json, application/problem+json"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if self.language:
            all_headers["Accept-Language"] = self.language
        all_headers.update(headers or {})
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                json=json,
                params=clean_params,
                data=data,
                headers=all_headers,
                timeout=timeout or self.timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            # For logs: the console words this error itself (console/errors.py), so it is no catalog text.
            reason = f"cannot reach {self.base_url}: {error.__class__.__name__}"
            raise ServerUnreachable(reason) from error
        if response.status_code >= 400:
            raise error_for(response.status_code, _problem(response), response.headers.get("Retry-After"))
        return response

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def send_json(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """`timeout` overrides the client's for a call known to take long (a backup and its check)."""
        response = self.request(method, path, json=body, headers=headers, timeout=timeout)
        return response.json() if response.content else None

    def close(self) -> None:
        self.session.close()


def _problem(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.reason or "HTTP error"}
    return body if isinstance(body, dict) else {"title": response.reason or "HTTP error"}
