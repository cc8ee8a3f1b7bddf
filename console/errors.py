"""Client errors to sentences a user can act on; a bug never shows its traceback."""

from __future__ import annotations

from comandia.console.i18n import Translator
from comandia.shared.client import (
    ApiError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServerUnreachable,
    TooManyRequestsError,
    UnauthorizedError,
    UnavailableError,
    ValidationError,
)


def user_message(error: BaseException, tr: Translator) -> str:
    """One sentence for `error`, in the user's language, with the server's detail when it gave one."""
    if isinstance(error, ServerUnreachable):
        return tr("error.unreachable")
    if isinstance(error, UnauthorizedError):
        return tr("error.unauthorized")
    if isinstance(error, TooManyRequestsError):
        return tr("error.throttled", seconds=error.retry_after or 60)
    if isinstance(error, UnavailableError):
        return tr("error.unavailable")
    if isinstance(error, ApiError):
        key = {
            ForbiddenError: "error.forbidden",
            NotFoundError: "error.not_found",
            ConflictError: "error.conflict",
            ValidationError: "error.validation",
        }.get(type(error), "error.api")
        return f"{tr(key)} {error.detail}".strip()
    return tr("error.bug")


def field_problems(error: BaseException) -> dict[str, str]:
    """Field path -> problem of a validation error (empty for anything else)."""
    return dict(error.fields) if isinstance(error, ApiError) else {}
