"""The errors domain code raises; the HTTP edge and the CLI map them to answers in one place each.

Environment failures (a database that does not answer, a provider outage) are `Unavailable`,
apart from bugs, so callers can retry them and operators can tell them apart.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error that carries a message fit for a user."""

    title = "Request failed"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does (same answer on purpose)."""

    title = "Not found"


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate name, a stale version)."""

    title = "Conflict"


class InvalidTransition(Conflict):
    """An order status change the state machine does not allow."""

    title = "Invalid status change"

    def __init__(self, current: str, requested: str, allowed: tuple[str, ...]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(
            f"cannot change status from {current!r} to {requested!r}; allowed next: {allowed_text}"
        )
        self.current = current
        self.requested = requested
        self.allowed = allowed


class ValidationFailed(DomainError):
    """Input that breaks a rule; `fields` maps a field path to what is wrong with it."""

    title = "Invalid input"

    def __init__(self, detail: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.fields = dict(fields or {})


class Unauthorized(DomainError):
    """No valid credentials (missing, wrong, expired or revoked)."""

    title = "Unauthorized"


class Forbidden(DomainError):
    """Authenticated, but the role may not do this (for example a viewer writing)."""

    title = "Forbidden"


class TooManyRequests(DomainError):
    """Throttled; `retry_after` says in how many seconds to try again."""

    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (database server, connection budget, provider) cannot serve now; retry later."""

    title = "Service unavailable"
