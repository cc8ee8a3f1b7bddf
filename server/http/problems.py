"""Every error leaves as RFC 9457 `application/problem+json`, mapped in this one place.

Domain errors carry a message fit for the user. Anything else is a bug: it is logged with its
traceback and answered with a bare 500 that shows no exception text.

Titles and details are in the caller's language, chosen by `Accept-Language` (Spanish when the
header is absent or names neither Spanish nor English), from the message catalog (`shared.i18n`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import falcon

from comandia.shared.domain import errors
from comandia.shared.i18n import N_, accepted_language, gettext

log = logging.getLogger("comandia.http")

PROBLEM_JSON = "application/problem+json"

_STATUS: list[tuple[type[errors.DomainError], int]] = [
    (errors.InvalidTransition, 409),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.ValidationFailed, 422),
    (errors.Unauthorized, 401),
    (errors.Forbidden, 403),
    (errors.TooManyRequests, 429),
    (errors.Unavailable, 503),
]


def status_for(error: errors.DomainError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def write_problem(resp: falcon.Response, status: int, title: str, detail: str | None = None, **extra: Any) -> None:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    resp.status = status
    resp.content_type = PROBLEM_JSON
    resp.text = json.dumps(body, ensure_ascii=False)


def language_of(req: falcon.Request) -> str:
    """The language the caller reads (``es`` or ``en``), from its `Accept-Language` header."""
    return accepted_language(req.get_header("Accept-Language"))


def handle_domain_error(req: falcon.Request, resp: falcon.Response, error: errors.DomainError, params: Any) -> None:
    status = status_for(error)
    language = language_of(req)
    extra: dict[str, Any] = {}
    if isinstance(error, errors.ValidationFailed) and error.fields:
        extra["errors"] = [{"field": k, "problem": v} for k, v in error.localized_fields(language).items()]
    if isinstance(error, errors.InvalidTransition):
        extra["allowed"] = list(error.allowed)
    if isinstance(error, errors.TooManyRequests):
        resp.set_header("Retry-After", str(error.retry_after))
    if isinstance(error, errors.Unavailable):
        resp.set_header("Retry-After", "2")
    if status == 401:
        resp.set_header("WWW-Authenticate", "Bearer")
    resp.vary = ("Accept-Language",)
    write_problem(resp, status, error.localized_title(language), error.localized(language), **extra)


def handle_http_error(req: falcon.Request, resp: falcon.Response, error: falcon.HTTPError, params: Any) -> None:
    headers = error.headers or {}
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers)
    for name, value in pairs:
        resp.set_header(name, value)
    language = language_of(req)
    resp.vary = ("Accept-Language",)
    title = gettext(language, _title(error))
    detail = gettext(language, error.description) if error.description else None  # gettext("") is the header
    write_problem(resp, int(error.status_code), title, detail)


_HTTP_TITLES = {
    400: N_("Bad request"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    406: N_("Not acceptable"),
    411: N_("Length required"),
    412: N_("Precondition failed"),
    413: N_("Request body too large"),
    415: N_("Unsupported media type"),
}


def _title(error: falcon.HTTPError) -> str:
    """The catalog title of a falcon error. Falcon's own (a route that does not exist, a method
    it does not take) are English status lines such as "405 Method Not Allowed": they give way
    to ours; a title given where the error is raised is a catalog text already."""
    own = error.title or ""
    if own and not own[:3].isdigit():
        return own
    return _HTTP_TITLES.get(int(error.status_code), N_("Error"))


def handle_bug(req: falcon.Request, resp: falcon.Response, error: Exception, params: Any) -> None:
    log.error("unhandled error on %s %s", req.method, req.path, exc_info=error)
    language = language_of(req)
    write_problem(
        resp,
        500,
        gettext(language, N_("Internal server error")),
        gettext(language, N_("the error was logged; please retry or contact support")),
    )


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    """Register the handlers; falcon picks the most specific class, so the order does not matter."""
    app.add_error_handler(Exception, handle_bug)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(errors.DomainError, handle_domain_error)
