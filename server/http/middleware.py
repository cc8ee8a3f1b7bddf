"""Request logging (one line per request) and the request body cap."""

from __future__ import annotations

import logging
import time
from typing import Any

import falcon
from falcon.uri import parse_query_string

from comandia.server.http.problems import language_of
from comandia.server.logs import escape_control
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_, text

log = logging.getLogger("comandia.access")


class AccessLog:
    """Logs method, path, status, duration and the tenant the request resolved to.

    Resources put the tenant in `req.context.tenant_id`; bodies, phone numbers and tokens are
    never logged.
    """

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()
        req.context.tenant_id = None

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any, succeeded: bool) -> None:
        if not log.isEnabledFor(logging.INFO):
            return  # the line's values (escaped, formatted) cost more than the line itself, on every webhook
        elapsed_ms = (time.perf_counter() - getattr(req.context, "started", time.perf_counter())) * 1000
        log.info(
            "%s %s %s tenant=%s %.1fms",
            escape_control(req.method),
            escape_control(req.path),
            resp.status_code,
            escape_control(str(getattr(req.context, "tenant_id", None) or "-")),
            elapsed_ms,
        )


class BodyLimit:
    """Refuses bodies over the cap with 413 before anything reads them.

    Webhooks have a cap of their own (Meta batches reach 3 MB), enforced where they read.
    """

    def __init__(self, max_bytes: int, own_limit_prefix: str = "/webhooks/") -> None:
        self.max_bytes = max_bytes
        self._own_limit_prefix = own_limit_prefix

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.path.startswith(self._own_limit_prefix):
            return
        length = req.content_length
        if length is not None and length > self.max_bytes:
            language = language_of(req)  # the detail has a value, so it is translated here, not by the handler
            raise falcon.HTTPContentTooLarge(
                title=N_("Request body too large"),
                description=text(language, "the limit is {limit} bytes", limit=self.max_bytes),
            )


class StrictQuery:
    """Refuses query parameters the OpenAPI document does not list for the route (422).

    A misspelt filter (`?stauts=new`) silently ignored would answer the unfiltered list, which
    looks right and is wrong; naming the parameter is kinder.
    """

    def __init__(
        self, allowed: dict[tuple[str, str], frozenset[str]], typed: dict[tuple[str, str], frozenset[str]] | None = None
    ) -> None:
        self._allowed = allowed
        self._typed = typed or {}

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any, params: Any) -> None:
        if resource is None or not req.query_string:
            return
        route = (req.uri_template or "", req.method)
        allowed = self._allowed.get(route)
        if allowed is None:
            return  # a method the route does not serve: falcon answers 405
        unknown = sorted(name for name in req.params if name not in allowed)
        if unknown:
            fields = {name[:64]: N_("unknown query parameter") for name in unknown[:10]}
            raise ValidationFailed("unknown query parameter(s): {names}", fields, names=", ".join(unknown)[:200])
        # Falcon drops `?format=` as if absent; for a number, a date or a choice that would
        # quietly answer with the default, so an empty value there is refused instead.
        typed = self._typed.get(route, frozenset())
        raw = parse_query_string(req.query_string, keep_blank=True)
        empty = sorted(name for name, value in raw.items() if name in typed and value in ("", [""]))
        if empty:
            raise ValidationFailed(
                "empty query parameter(s): {names}",
                {name[:64]: N_("must not be empty") for name in empty[:10]},
                names=", ".join(empty)[:200],
            )
