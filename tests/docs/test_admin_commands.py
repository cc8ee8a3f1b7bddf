"""Every `comandia-admin` command the README and the docs show exists: a renamed or removed
command fails here (`numbers add` once stood in the docs and the console for `number add`).

Commands are read from code (fenced blocks and `inline code`) in README.md and docs/**/*.md,
English and Spanish; each command path (`backup restore`, `tenant deactivate|reactivate`) is
walked through comandia-admin's own parser and its `--help` is run, and every `--option` shown
with it must be one that command (or comandia-admin itself) takes.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from comandia.provisioning.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
GLOBAL_FLAGS = {"--json", "--version"}
GLOBAL_OPTIONS = {"--home", "--database-url", "--config"}
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)
COMMAND = re.compile(r"comandia-admin((?:[ \t]+[^\s`]+)*)")


def shown_commands() -> list[tuple[str, int, list[str]]]:
    """(file, line, words after comandia-admin) for each command shown in code."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in CODE.finditer(text):
            code = block.group(1) if block.group(1) is not None else block.group(2)
            for match in COMMAND.finditer(code):
                words = match.group(1).split()
                line = text.count("\n", 0, block.start() + match.start()) + 1
                found.append((str(doc.relative_to(REPO)), line, words))
    return found


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps no public handle on its subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_paths(words: list[str]) -> list[list[str]]:
    """The command paths `words` names (`a|b` gives two), [] when it names none (a placeholder)."""
    while words and (words[0] in GLOBAL_FLAGS or words[0] in GLOBAL_OPTIONS):
        words = words[1:] if words[0] in GLOBAL_FLAGS else words[2:]
    if not words or not re.fullmatch(r"[a-z][a-z0-9|-]*", words[0]):
        return []  # `comandia-admin COMMAND`, `comandia-admin …`, a bare mention
    paths: list[list[str]] = [[]]
    parser = build_parser()
    levels = [parser]
    for word in words:
        choices = subcommands(levels[-1])
        if not choices:
            break
        names = word.split("|")
        paths = [path + [name] for path in paths for name in names]
        missing = [name for name in names if name not in choices]
        if missing:
            return [path for path in paths if path[-1] in missing]  # reported by the test
        levels.append(choices[names[0]])
    return paths


SHOWN = shown_commands()


def test_the_docs_show_admin_commands() -> None:
    assert len(SHOWN) > 40
    assert {doc for doc, _, _ in SHOWN} >= {"README.md", "docs/operations.md", "docs/install.md"}


@pytest.mark.parametrize(("doc", "line", "words"), SHOWN, ids=[f"{d}:{n}" for d, n, _ in SHOWN])
def test_every_admin_command_in_the_docs_exists(doc: str, line: int, words: list[str]) -> None:
    for path in command_paths(words):
        with pytest.raises(SystemExit) as ended:
            build_parser().parse_args([*path, "--help"])
        assert ended.value.code == 0, f"{doc}:{line}: `comandia-admin {' '.join(path)}` does not exist"


FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def options_of(path: list[str]) -> set[str]:
    parser = build_parser()
    options = {option for action in parser._actions for option in action.option_strings}
    for word in path:
        parser = subcommands(parser)[word]
        options |= {option for action in parser._actions for option in action.option_strings}
    return options


@pytest.mark.parametrize(("doc", "line", "words"), SHOWN, ids=[f"{d}:{n}" for d, n, _ in SHOWN])
def test_every_option_in_the_docs_exists(doc: str, line: int, words: list[str]) -> None:
    """`--keep-daily`, `--status-template`: a renamed option fails here, not in an operator's shell."""
    for path in command_paths(words):
        try:
            known = options_of(path)
        except KeyError:
            continue  # a missing subcommand, reported by the test above
        unknown = sorted({flag for word in words for flag in FLAG.findall(word)} - known)
        assert not unknown, f"{doc}:{line}: `comandia-admin {' '.join(path)}` has no {', '.join(unknown)}"
