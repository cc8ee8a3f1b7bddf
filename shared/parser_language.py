"""comandia-admin's and comandia-server's argument parsers in the reader's language: argparse's own
words included.

Our descriptions, help texts and value names (``NEGOCIO`` for ``TENANT``) are catalog texts
(`help_texts` and `value_names` find them in the parser, so `scripts/i18n.py` collects them and
`translated` swaps them); a value name is read under the context `VALUE_NAME`, as the same English
word can be a value name and a sentence's word elsewhere. argparse's own words ("usage:",
"options", "the following arguments are required", ...) are not ours: argparse looks each up
through its module's `_` (the standard library's `gettext`, with no catalog installed), at the
moment it builds a parser, prints help or reports a usage error. `speaking` points that `_` at
our catalog for the length of a `with` block, so the whole parser speaks one language; outside
the block argparse is as the standard library ships it.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from comandia.shared.i18n import N_, gettext, pgettext

VALUE_NAME = "value name"
"""The catalog context of an argument's value name (argparse's metavar)."""

ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ignored explicit argument %r"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)
"""The words of argparse (Python 3.11) a person at the terminal can meet, marked for the catalog.
Those it says only to a programmer who built a bad parser stay English; a newer Python's
reworded text is shown in English until it is added here (nothing fails)."""


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Inside the block, argparse words its usage, headings and errors in `language`.

    Build the parser and parse inside it: headings are fixed when a parser is built, usage and
    errors when they are printed. The CLI runs one parser at a time in one thread, which is why
    swapping a module global is safe here.
    """
    saved = vars(argparse)["_"]

    def localized(message: str) -> str:
        return gettext(language, message)

    argparse._ = localized  # type: ignore[attr-defined]  # argparse's `_` is private, so untyped
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def translated(parser: argparse.ArgumentParser, language: str) -> argparse.ArgumentParser:
    """`parser` with its descriptions and help texts in `language` (the catalogs hold them:
    `scripts/i18n.py` collects them from the parser itself)."""
    for text_of in help_texts(parser):
        text_of.set(gettext(language, text_of.get()))
    for name_of in value_names(parser):
        name_of.set(pgettext(language, VALUE_NAME, name_of.get()))
    return parser


class _HelpText:
    """One help or description string inside a parser, readable and replaceable."""

    def __init__(self, owner: argparse.ArgumentParser | argparse.Action, attribute: str) -> None:
        self._owner, self._attribute = owner, attribute

    def get(self) -> str:
        return str(getattr(self._owner, self._attribute))

    def set(self, value: str) -> None:
        setattr(self._owner, self._attribute, value)


class _ValueName:
    """The name an argument's value goes by in usage, help and errors (argparse's metavar): its
    own, or argparse's default (the destination, upper-cased for an option)."""

    def __init__(self, action: argparse.Action) -> None:
        self._action = action

    def get(self) -> str:
        if self._action.metavar is not None:
            return str(self._action.metavar)
        return self._action.dest.upper() if self._action.option_strings else self._action.dest

    def set(self, value: str) -> None:
        self._action.metavar = value  # the destination (where the value is stored) stays as it is


def value_names(parser: argparse.ArgumentParser) -> list[_ValueName]:
    """Every value name of `parser` and its sub-commands: not of flags (no value), hidden arguments,
    or choices without a name of their own (argparse lists the choices, which are typed as they are)."""
    found: list[_ValueName] = []
    for current in _parsers(parser):
        for action in current._actions:
            if action.nargs == 0 or action.help == argparse.SUPPRESS or isinstance(action.metavar, tuple):
                continue
            if action.metavar is None and action.choices is not None:
                continue
            found.append(_ValueName(action))
    return found


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """`parser` and every sub-command's parser below it, each once."""
    found: list[argparse.ArgumentParser] = []

    def walk(current: argparse.ArgumentParser) -> None:
        if any(current is known for known in found):
            return
        found.append(current)
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    walk(sub)

    walk(parser)
    return found


def help_texts(parser: argparse.ArgumentParser) -> list[_HelpText]:
    """Every description and help string of `parser` and its sub-commands, each once."""
    found: list[_HelpText] = []
    for current in _parsers(parser):
        if current.description:
            found.append(_HelpText(current, "description"))
        for action in current._actions:
            if action.help and action.help != argparse.SUPPRESS:
                found.append(_HelpText(action, "help"))
            if isinstance(action, argparse._SubParsersAction):
                found.extend(_HelpText(choice, "help") for choice in action._choices_actions if choice.help)
    return found
