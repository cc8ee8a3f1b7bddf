"""What the API client raises: one class per kind of answer, each carrying the problem detail."""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Base of everything the client raises."""


class ServerUnreachable(ClientError):
    """No answer at all: connection refused, DNS, timeout. The request may not have run."""


class ApiError(ClientError):
    """The server answered with an RFC 9457 problem.

    Attributes:
        status: the HTTP status.
        title: the problem's short title.
        detail: a sentence fit to show the user ("" when the server gave none).
        fields: field path -> what is wrong with it (validation errors).
        problem: the whole problem document as received.
    """

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        fields: dict[str, str] | None = None,
        problem: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}" if detail else f"{status} {title}")
        self.status = status
        self.title = title
        self.detail = detail
        self.fields = dict(fields or {})
        self.problem = dict(problem or {})


class ValidationError(ApiError):
    """400 or 422: the request broke a rule; `fields` says which."""


class UnauthorizedError(ApiError):
    """401: log in (again)."""


class ForbiddenError(ApiError):
    """403: this role may not do that."""


class NotFoundError(ApiError):
    """404: no such thing (or it is not yours; the server does not say which)."""


class ConflictError(ApiError):
    """409 or 412: clashes with the current state (a duplicate, a stale version, a bad transition)."""


class TooManyRequestsError(ApiError):
    """429: throttled; `retry_after` is in seconds."""

    retry_after: int = 0


class UnavailableError(ApiError):
    """503: a database is unreachable; retrying later may work."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: ValidationError,
    422: ValidationError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    412: ConflictError,
    428: ConflictError,
    429: TooManyRequestsError,
    503: UnavailableError,
}


def error_for(status: int, problem: dict[str, Any], retry_after: str | None = None) -> ApiError:
    """Build the typed error for a non-2xx answer whose body was `problem` (maybe empty)."""
    fields = {
        str(item.get("field")): str(item.get("problem")) for item in problem.get("errors", []) if isinstance(item, dict)
    }
    kind = _BY_STATUS.get(status, ApiError)
    error = kind(status, str(problem.get("title") or "HTTP error"), str(problem.get("detail") or ""), fields, problem)
    if isinstance(error, TooManyRequestsError) and retry_after and retry_after.isdigit():
        error.retry_after = int(retry_after)
    return error
