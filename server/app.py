"""create_app(services) -> falcon.App: routes, middleware and error handlers; no I/O here."""

from __future__ import annotations

from typing import Any

import falcon

from comandia.server.http import problems
from comandia.server.http.auth import Authenticate
from comandia.server.http.clients import ClientAddress
from comandia.server.http.middleware import AccessLog, BodyLimit, StrictQuery
from comandia.server.http.openapi import query_parameters, typed_query_parameters
from comandia.server.http.routes import add_routes
from comandia.server.services.bundle import Services


def create_app(services: Services) -> falcon.App[falcon.Request, falcon.Response]:
    # Order matters: the body cap answers 413 before authentication spends a query on the token,
    # and unknown query parameters are refused only to callers who are allowed in.
    middleware: list[Any] = [
        ClientAddress(services.trusted_proxies),
        AccessLog(),
        BodyLimit(services.max_body_bytes),
        Authenticate(services.auth),
        StrictQuery(query_parameters(), typed_query_parameters()),
    ]
    app = falcon.App(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    problems.install(app)
    add_routes(app, services)
    return app
