"""The API client: `ApiClient` and the errors it raises; the console reaches the server only so.

`ApiClient` is loaded on first use (PEP 562): it brings `requests` and every endpoint module,
which the console's login window does not need, and the errors alone are cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comandia.shared.client.errors import (
    ApiError,
    ClientError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServerUnreachable,
    TooManyRequestsError,
    UnauthorizedError,
    UnavailableError,
    ValidationError,
)

if TYPE_CHECKING:
    from comandia.shared.client.api import ApiClient

__all__ = [
    "ApiClient",
    "ApiError",
    "ClientError",
    "ConflictError",
    "ForbiddenError",
    "NotFoundError",
    "ServerUnreachable",
    "TooManyRequestsError",
    "UnauthorizedError",
    "UnavailableError",
    "ValidationError",
]


def __getattr__(name: str) -> object:
    """`ApiClient` on first use, so importing the errors does not import `requests`."""
    if name == "ApiClient":
        from comandia.shared.client.api import ApiClient  # noqa: PLC0415 - lazy on purpose, see the docstring

        return ApiClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
