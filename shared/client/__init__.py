"""The API client: `ApiClient` and the errors it raises; the console reaches the server only so."""

from comandia.shared.client.api import ApiClient
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
