"""The problems of a catalog file's rows, kept as catalog templates and read in the reader's language.

A row problem is found once (`imports._plan`) and read by the API (its report and its 422 problem
details, in the caller's `Accept-Language`), the console (which asks the API in its own language)
and comandia-admin (in the operator's): so it keeps its English template and values, and is
written out in a language only when a report or an error is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.i18n import N_, text
from comandia.shared.schemas.catalog import ImportIssue

ALIAS_PROBLEM = N_("alias {number} {problem}")
REPEATED_SKU = N_("repeats the SKU of row {row}")
WHOLE_NUMBER = N_("must be a whole number")
YES_OR_NO = N_("must be yes or no")
IS_REQUIRED = N_("is required")
TOO_MANY = N_("the file has {count} problem(s); nothing was imported")


@dataclass(frozen=True)
class Problem:
    """What is wrong with a cell: an English template from the catalog and its values (a value may
    be a problem of its own, read in the same language)."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def localized(self, language: str) -> str:
        values = {k: v.localized(language) if isinstance(v, Problem) else v for k, v in self.values.items()}
        return text(language, self.template, **values)

    @classmethod
    def of(cls, error: ValidationFailed, path: str) -> Problem:
        """The problem `error` names for the field `path`."""
        template, values = error.field_problem(path)
        return cls(template, values)


@dataclass(frozen=True)
class RowIssue:
    """A problem in one cell; `row` 1 is the header line, data starts at 2."""

    row: int
    column: str
    problem: Problem

    def localized(self, language: str) -> ImportIssue:
        return ImportIssue(self.row, self.column, self.problem.localized(language))


def field_issue(row: int, path: str, problem: Problem) -> RowIssue:
    """An issue in the column a field path names: ``aliases[2]`` is the third alias of the cell."""
    column, _, index = path.partition("[")
    if index[:-1].isdigit():
        problem = Problem(ALIAS_PROBLEM, {"number": int(index[:-1]) + 1, "problem": problem})
    return RowIssue(row, column, problem)


class RowProblems(ValidationFailed):
    """An apply refused for its rows' problems: each field ``rows[<row>].<column>`` reads in the
    language asked (the values differ from row to row, so each problem keeps its own)."""

    def __init__(self, issues: list[RowIssue], shown: int) -> None:
        self.issues = issues[:shown]
        fields = {_field(issue): issue.problem.localized("en") for issue in self.issues}
        super().__init__(TOO_MANY, fields, count=len(issues))

    def localized_fields(self, language: str) -> dict[str, str]:
        return {_field(issue): issue.problem.localized(language) for issue in self.issues}


def _field(issue: RowIssue) -> str:
    return f"rows[{issue.row}].{issue.column}"
