"""The errors domain code raises; the HTTP edge and the CLI map them to answers in one place each.

An error keeps its text as an English template with its values (`template`, `values`): `detail`
is the English sentence for logs, and `localized(language)` the same sentence from the message
catalog (`shared.i18n`) for the person reading it. Pass values as keywords to have them
translated: ``NotFound("tenant {tenant_id} not found", tenant_id=tid)``; an f-string still works
but reaches a Spanish reader in English.

Environment failures (a database that does not answer, a provider outage) are `Unavailable`,
apart from bugs, so callers can retry them and operators can tell them apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from comandia.shared.i18n import N_, fill, gettext, text

INVALID_FIELD = N_("invalid {field}: {problem}")


class DomainError(Exception):
    """Base of every error that carries a message fit for a user."""

    title = N_("Request failed")

    def __init__(self, detail: str, /, **values: object) -> None:
        self.template = detail
        self.values = values
        self.detail = fill(detail, values)
        super().__init__(self.detail)

    def localized(self, language: str) -> str:
        """The detail in `language` (``es`` or ``en``), from the message catalog."""
        return text(language, self.template, **self.values)

    def localized_title(self, language: str) -> str:
        return gettext(language, self.title)


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does (same answer on purpose)."""

    title = N_("Not found")


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate name, a stale version)."""

    title = N_("Conflict")


class InvalidTransition(Conflict):
    """An order status change the state machine does not allow."""

    title = N_("Invalid status change")

    def __init__(self, current: str, requested: str, allowed: tuple[str, ...]) -> None:
        super().__init__(
            "cannot change status from '{current}' to '{requested}'; allowed next: {allowed}",
            current=current,
            requested=requested,
            allowed=", ".join(allowed) if allowed else "none (final state)",
        )
        self.current = current
        self.requested = requested
        self.allowed = allowed

    def localized(self, language: str) -> str:
        allowed = ", ".join(self.allowed) if self.allowed else gettext(language, "none (final state)")
        return text(language, self.template, current=self.current, requested=self.requested, allowed=allowed)


class ValidationFailed(DomainError):
    """Input that breaks a rule; `fields` maps a field path to what is wrong with it."""

    title = N_("Invalid input")

    def __init__(self, detail: str, /, fields: Mapping[str, str] | None = None, **values: object) -> None:
        super().__init__(detail, **values)
        self.fields = dict(fields or {})
        self._field_templates = dict(self.fields)
        self._field_values: dict[str, Mapping[str, object]] = {}
        if values:
            self.fields = {name: fill(problem, values) for name, problem in self.fields.items()}

    @classmethod
    def of_field(cls, field: str, problem: str, /, **values: object) -> ValidationFailed:
        """``invalid <field>: <problem>``, with `problem` a catalog template filled from `values`."""
        return cls(INVALID_FIELD, {field: problem}, field=field, problem=fill(problem, values), **values)

    def localized(self, language: str) -> str:
        if "{problems}" in self.template:
            # The detail lists every field with its problem (a refused order's lines): each
            # problem is a catalog template, translated before the list is made.
            listed = "; ".join(f"{field} {problem}" for field, problem in self.localized_fields(language).items())
            return text(language, self.template, **{**self.values, "problems": listed})
        if "{problem}" in self.template and len(self._field_templates) == 1:
            # The detail quotes its one field's problem (`of_field`, "the file {problem}"): that
            # problem is a catalog template too, translated before it is quoted.
            field, problem = next(iter(self._field_templates.items()))
            values = {**self.values, "problem": text(language, problem, **self.field_values(field))}
            return text(language, self.template, **values)
        return super().localized(language)

    @classmethod
    def of_problems(
        cls, detail: str, problems: Mapping[str, tuple[str, Mapping[str, object]]], /, **values: object
    ) -> ValidationFailed:
        """Several fields, each problem a catalog template with values of its own (two fields may
        both name a ``{field}`` or a ``{count}``): ``{"price": ("has more decimals than {currency}
        allows", {"currency": "CLP"})}``."""
        error = cls(detail, {field: fill(template, own) for field, (template, own) in problems.items()}, **values)
        error._field_templates = {field: template for field, (template, _) in problems.items()}
        error._field_values = {field: dict(own) for field, (_, own) in problems.items()}
        return error

    @property
    def field_templates(self) -> dict[str, str]:
        """Each field's problem as its catalog template (`field_values` fill it in)."""
        return dict(self._field_templates)

    def field_values(self, field: str) -> dict[str, object]:
        """The values that fill the problem of `field`."""
        return {**self.values, **self._field_values.get(field, {})}

    def field_problem(self, field: str) -> tuple[str, dict[str, object]]:
        """(template, values) of the problem of `field`, to pass it on to another error."""
        return self._field_templates.get(field, self.fields.get(field, "")), self.field_values(field)

    def localized_fields(self, language: str) -> dict[str, str]:
        """Each field's problem in `language`, filled with its values."""
        return {field: text(language, problem, **self.field_values(field))
                for field, problem in self._field_templates.items()}  # fmt: skip


class Unauthorized(DomainError):
    """No valid credentials (missing, wrong, expired or revoked)."""

    title = N_("Unauthorized")


class Forbidden(DomainError):
    """Authenticated, but the role may not do this (for example a viewer writing)."""

    title = N_("Forbidden")


class TooManyRequests(DomainError):
    """Throttled; `retry_after` says in how many seconds to try again."""

    title = N_("Too many requests")

    def __init__(self, detail: str, /, retry_after: int, **values: object) -> None:
        super().__init__(detail, **values)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (database server, connection budget, provider) cannot serve now; retry later."""

    title = N_("Service unavailable")
